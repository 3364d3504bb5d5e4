// What one fault did to its workflows, from their final state: pure, so the rules are unit-tested.
// A workflow counts as handled when its exit handler's node `<wf>.onExit` is final and at least
// one pod labelled `workflows.argoproj.io/on-exit=true` exists for it; exactly once when there is
// exactly one such pod and one such node.
import { exitHandlerNodeName, LABEL_ON_EXIT, LABEL_WORKFLOW } from "../common/names.ts";
import { isWorkflowDone, type NodeStatus, type Workflow } from "../coordinator/engine/index.ts";

export interface PodFacts {
  name: string;
  labels: Record<string, string>;
  phase: string;
  /** metadata.creationTimestamp (one-second resolution). */
  createdAt: string;
}

export interface WorkflowCounts {
  workflows: number;
  handlersRun: number;
  exactlyOnce: number;
  /** Not final, or final without its handler. */
  lost: number;
  /** From the last step's end to the handler pod's creation, worst over the workflows; both
   * timestamps have one-second resolution, so this is ±1000 ms. Null when no handler ran. */
  worstDelayMs: number | null;
  /** One line per workflow that is lost or ran its handler more than once. */
  problems: string[];
}

const NODE_DONE = new Set(["Succeeded", "Failed", "Error", "Skipped", "Omitted"]);

function isHandlerNode(node: NodeStatus, workflow: string): boolean {
  return (
    node.name === exitHandlerNodeName(workflow) || node.name.startsWith(`${exitHandlerNodeName(workflow)}.`)
  );
}

/** Latest finishedAt of the workflow's step pods (nodes of type Pod outside the exit handler). */
export function lastStepEndMs(workflow: Workflow): number | undefined {
  const name = workflow.metadata.name ?? "";
  let last: number | undefined;
  for (const node of Object.values(workflow.status?.nodes ?? {})) {
    if (node.type !== "Pod" || isHandlerNode(node, name) || node.finishedAt === undefined) continue;
    const at = Date.parse(node.finishedAt);
    if (Number.isFinite(at) && (last === undefined || at > last)) last = at;
  }
  return last;
}

interface OneWorkflow {
  final: boolean;
  handlerPods: PodFacts[];
  handlerNodes: NodeStatus[];
  delayMs?: number;
}

function facts(workflow: Workflow, pods: PodFacts[]): OneWorkflow {
  const name = workflow.metadata.name ?? "";
  const handlerPods = pods.filter(
    (p) => p.labels[LABEL_WORKFLOW] === name && p.labels[LABEL_ON_EXIT] === "true",
  );
  const handlerNodes = Object.values(workflow.status?.nodes ?? {}).filter(
    (n) => n.name === exitHandlerNodeName(name),
  );
  const stepEnd = lastStepEndMs(workflow);
  const created = handlerPods.map((p) => Date.parse(p.createdAt)).sort((a, b) => a - b)[0];
  return {
    final: isWorkflowDone(workflow.status?.phase),
    handlerPods,
    handlerNodes,
    ...(stepEnd === undefined || created === undefined ? {} : { delayMs: Math.max(0, created - stepEnd) }),
  };
}

export function countWorkflows(workflows: Workflow[], pods: PodFacts[]): WorkflowCounts {
  const counts: WorkflowCounts = {
    workflows: workflows.length,
    handlersRun: 0,
    exactlyOnce: 0,
    lost: 0,
    worstDelayMs: null,
    problems: [],
  };
  for (const workflow of workflows) {
    const name = workflow.metadata.name ?? "";
    const f = facts(workflow, pods);
    const handled = f.handlerPods.length > 0 && f.handlerNodes.some((n) => NODE_DONE.has(n.phase));
    if (handled) counts.handlersRun++;
    if (f.handlerPods.length === 1 && f.handlerNodes.length === 1) counts.exactlyOnce++;
    else if (f.handlerPods.length > 1) counts.problems.push(`${name}: ${f.handlerPods.length} handler pods`);
    if (!f.final || !handled) {
      counts.lost++;
      const phase = workflow.status?.phase ?? "no phase";
      counts.problems.push(
        `${name}: ${phase}, ${f.handlerPods.length} handler pod(s): ${workflow.status?.message ?? ""}`,
      );
    }
    if (f.delayMs !== undefined) counts.worstDelayMs = Math.max(counts.worstDelayMs ?? 0, f.delayMs);
  }
  return counts;
}

/** Pods of final workflows still Pending or Running. */
export function unfinishedPods(pods: PodFacts[]): PodFacts[] {
  return pods.filter((p) => p.phase !== "Succeeded" && p.phase !== "Failed");
}
