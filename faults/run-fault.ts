// Runs one workflow fault: a fresh namespace, N two-step workflows with an exit handler, the fault
// injected for real, a bounded wait until every workflow is final, then the counts and what is
// stuck once the namespace is deleted.
import { isWorkflowDone } from "../coordinator/engine/index.ts";
import { countWorkflows } from "./measure.ts";
import {
  createWorkflows,
  deleteAndCountStuck,
  faultNamespace,
  listPodsJson,
  listWorkflows,
  podFacts,
  unfinishedPodCount,
  waitAllFinal,
  type NamespaceOptions,
} from "./cluster.ts";
import type { Row } from "./row.ts";

export interface FaultContext {
  ns: string;
  names: string[];
  log: (line: string) => void;
}

export interface Fault {
  name: string;
  /** How many workflows (default: the configured per-fault number). */
  workflows?: number;
  /** The steps' script (default `sleep 2`). */
  script?: string;
  namespace?: NamespaceOptions;
  /** Before the workflows are created (arm a failpoint, take the webhook down, ...). */
  before?: (ctx: Omit<FaultContext, "names">) => Promise<void>;
  /** Once they are created: the fault itself, including putting things back. */
  inject?: (ctx: FaultContext) => Promise<void>;
  /** Always runs at the end (restore what `before` changed). */
  after?: (ctx: FaultContext) => Promise<void>;
  /** The row's own measurement and verdict, for faults that take the workflows away. */
  measure?: (ctx: FaultContext) => Promise<Row>;
  /** Overrides the configured wait for the workflows to be final. */
  timeoutMs?: number;
  /** Set when the row depends on a fix another branch is making. */
  note?: string;
}

export interface RunOptions {
  workflows: number;
  timeoutMs: number;
  log: (line: string) => void;
}

/** The verdict on a workflow row: every handler ran exactly once, nothing lost or stuck. */
export function workflowRowOk(
  row: Pick<Row, "workflows" | "handlersRun" | "exactlyOnce" | "lost" | "stuck">,
): boolean {
  return (
    row.handlersRun === row.workflows &&
    row.exactlyOnce === row.workflows &&
    row.lost === 0 &&
    row.stuck === 0
  );
}

export async function runFault(fault: Fault, options: RunOptions): Promise<Row> {
  const log = (line: string): void => options.log(`${fault.name}: ${line}`);
  const ns = await faultNamespace(
    fault.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .slice(0, 30),
    fault.namespace,
  );
  const count = fault.workflows ?? options.workflows;
  const problems: string[] = [];
  let ctx: FaultContext = { ns, names: [], log };
  try {
    await fault.before?.(ctx);
    ctx = { ...ctx, names: createWorkflows(ns, "wf", count, fault.script ?? "sleep 2") };
    log(`${count} workflows created in ${ns}`);
    await fault.inject?.(ctx);
  } catch (err) {
    problems.push(`injection failed: ${(err as Error).message}`);
  } finally {
    await fault
      .after?.(ctx)
      .catch((err: unknown) => problems.push(`restore failed: ${(err as Error).message}`));
  }
  if (fault.measure !== undefined) {
    const row = await fault.measure(ctx);
    return { ...row, problems: [...problems, ...row.problems], ok: row.ok && problems.length === 0 };
  }
  await waitAllFinal(ns, ctx.names, fault.timeoutMs ?? options.timeoutMs, log);
  const workflows = listWorkflows(ns);
  const counts = countWorkflows(workflows, podFacts(listPodsJson(ns)));
  // Pods get a grace period to finish only behind final workflows; open ones are counted lost already.
  const allFinal = workflows.every((w) => isWorkflowDone(w.status?.phase));
  const unfinished = await unfinishedPodCount(ns, allFinal ? 60_000 : 0);
  if (unfinished > 0) problems.push(`${unfinished} pods not completed`);
  const { stuck, detail } = await deleteAndCountStuck(ns);
  if (detail !== "") problems.push(detail);
  const row: Row = {
    fault: fault.name,
    kind: "workflows",
    workflows: counts.workflows,
    handlersRun: counts.handlersRun,
    exactlyOnce: counts.exactlyOnce,
    lost: counts.lost,
    stuck: stuck + unfinished,
    worstDelayMs: counts.worstDelayMs,
    ok: false,
    problems: [...problems, ...counts.problems].slice(0, 10),
    ...(fault.note === undefined ? {} : { note: fault.note }),
  };
  row.ok = workflowRowOk(row) && problems.length === 0;
  return row;
}
