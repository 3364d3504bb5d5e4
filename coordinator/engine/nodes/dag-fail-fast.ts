// DAG `failFast` (default true): once a task has failed in a way nothing in the DAG tolerates,
// no new task starts; tasks already running (and exit hooks) finish, then the DAG fails.
import type { DagTask, NodePhase, NodeStatus, Template } from "../workflow.ts";
import { isNodeFailed } from "../workflow.ts";
import type { DagPlan } from "./dag-plan.ts";
import { namesOutcome } from "../expr/depends.ts";
import { continuesOn } from "./child.ts";

/** The failure that stops a DAG from starting new tasks. */
export interface Halt {
  phase: NodePhase;
  message: string | undefined;
}

export function failsFast(template: Template): boolean {
  return template.dag?.failFast !== false;
}

/**
 * Whether a task that ended in `node` stops the DAG: it failed, its own continueOn does not
 * allow it, and no task of the DAG names that failure in its `depends` (`A.Failed`,
 * `A.Errored`, …), which would be written to handle it.
 */
export function haltOf(
  plan: DagPlan,
  task: DagTask,
  node: NodeStatus,
  itemPhases: Readonly<Record<string, readonly NodePhase[]>>,
): Halt | undefined {
  if (!isNodeFailed(node.phase)) return undefined;
  if (continuesOn(task, node.phase)) return undefined;
  for (const name of plan.needed) {
    const expr = plan.depends.get(name);
    if (expr !== undefined && namesOutcome(expr, task.name, node.phase, itemPhases)) return undefined;
  }
  return { phase: node.phase, message: node.message };
}
