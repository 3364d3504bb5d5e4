// The workflow's phase and message from its entry node and its exit handler, and the
// events for what changed since the status the reconcile started from.
import type { NodeStatus, WorkflowPhase, WorkflowStatus } from "./workflow.ts";
import { isNodeDone, isWorkflowDone } from "./workflow.ts";
import type { Kill } from "./context.ts";
import type { BodyPhase } from "./nodes/exit-handler.ts";
import type { Action } from "./types.ts";
import { LABEL_COMPLETED, LABEL_PHASE } from "../../common/names.ts";

export interface Outcome {
  phase: WorkflowPhase;
  message: string | undefined;
}

/** Argo: Succeeded/Skipped/Omitted → Succeeded, Failed → Failed, Error → Error. */
export function bodyPhaseOf(entry: NodeStatus): BodyPhase | undefined {
  if (!isNodeDone(entry.phase)) return undefined;
  if (entry.phase === "Failed" || entry.phase === "Error") return entry.phase;
  return "Succeeded";
}

export interface OutcomeInput {
  entry: NodeStatus;
  /** The handler node, when one ran or is running. */
  handler: NodeStatus | undefined;
  /** True while a handler still has to start or finish. */
  handlerPending: boolean;
  kill: Kill | undefined;
}

export function outcomeOf(input: OutcomeInput): Outcome {
  const body = bodyPhaseOf(input.entry);
  if (body === undefined || input.handlerPending) return { phase: "Running", message: undefined };
  const handler = input.handler;
  if (body === "Succeeded") {
    if (handler?.phase === "Failed" || handler?.phase === "Error")
      return { phase: handler.phase, message: handler.message };
    return { phase: "Succeeded", message: undefined };
  }
  const message = input.kill?.workflowMessage ?? input.entry.message;
  return { phase: body, message: withHandlerError(message, handler) };
}

/** A handler that could not run (its pod refused, foreign, deleted) is as much news as the failure. */
function withHandlerError(message: string | undefined, handler: NodeStatus | undefined): string | undefined {
  if (handler?.phase !== "Error") return message;
  const why = `exit handler errored: ${handler.message ?? "unknown error"}`;
  return message === undefined ? why : `${message}; ${why}`;
}

function event(type: "Normal" | "Warning", reason: string, message: string): Action {
  return { kind: "event", type, reason, message };
}

export function phaseEvents(
  previous: WorkflowPhase | undefined,
  next: WorkflowStatus,
  name: string,
): Action[] {
  if ((previous ?? "") === next.phase) return [];
  const why = next.message ? `: ${next.message}` : "";
  switch (next.phase) {
    case "Running":
      return [event("Normal", "WorkflowRunning", `Workflow ${name} is running`)];
    case "Succeeded":
      return [event("Normal", "WorkflowSucceeded", `Workflow ${name} succeeded`)];
    case "Failed":
      return [event("Warning", "WorkflowFailed", `Workflow ${name} failed${why}`)];
    case "Error":
      return [event("Warning", "WorkflowError", `Workflow ${name} errored${why}`)];
    default:
      return [];
  }
}

export function handlerEvents(before: NodeStatus | undefined, after: NodeStatus | undefined): Action[] {
  if (after === undefined) return [];
  const out: Action[] = [];
  if (before === undefined)
    out.push(event("Normal", "ExitHandlerStarted", `Exit handler ${after.name} started`));
  if (isNodeDone(after.phase) && !isNodeDone(before?.phase)) {
    const failed = after.phase === "Failed" || after.phase === "Error";
    const message = `Exit handler ${after.name} ${after.phase.toLowerCase()}${after.message ? `: ${after.message}` : ""}`;
    out.push(
      failed
        ? event("Warning", "ExitHandlerFailed", message)
        : event("Normal", "ExitHandlerCompleted", message),
    );
  }
  return out;
}

/**
 * While the workflow runs: why a step's pod is not created yet (quota, webhook, API server), so
 * `kubectl get workflow` shows it in MESSAGE; the earliest waiting step speaks for all.
 */
export function waitingMessage(nodes: Readonly<Record<string, NodeStatus>>): string | undefined {
  const waiting = Object.values(nodes)
    .filter((node) => node.type === "Pod" && node.phase === "Pending" && node.message !== undefined)
    .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name));
  const first = waiting[0];
  return first === undefined ? undefined : `${first.displayName}: ${first.message}`;
}

export function progressOf(nodes: Readonly<Record<string, NodeStatus>>): string {
  const pods = Object.values(nodes).filter((node) => node.type === "Pod");
  const done = pods.filter((node) => isNodeDone(node.phase)).length;
  return `${done}/${pods.length}`;
}

/**
 * The labels Argo's controller keeps on a Workflow, which Argo's CLI reads: `argo suspend` refuses a
 * completed workflow, `argo retry` removes `completed`, `argo list --running/--completed/--status`
 * select on both.
 */
export function workflowLabels(phase: WorkflowPhase | undefined): Record<string, string> {
  const completed = isWorkflowDone(phase) ? "true" : "false";
  return phase === undefined || phase === ""
    ? { [LABEL_COMPLETED]: completed }
    : { [LABEL_PHASE]: phase, [LABEL_COMPLETED]: completed };
}
