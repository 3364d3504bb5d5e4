// Why running steps must stop: `spec.shutdown`, deletion of the workflow, or its
// activeDeadlineSeconds. Terminate runs no handler; the others still run them.
import type { Workflow } from "./workflow.ts";
import { ANNOTATION_SKIP_HANDLER_ON_DELETE } from "../../common/names.ts";
import type { Ctx, Kill } from "./context.ts";

export const DEADLINE_MESSAGE = "Step exceeded its deadline";

export function optedOutOfHandlerOnDelete(wf: Workflow): boolean {
  return wf.metadata.annotations?.[ANNOTATION_SKIP_HANDLER_ON_DELETE] === "true";
}

/** Milliseconds since the epoch at which the workflow's activeDeadlineSeconds runs out. */
export function deadlineOf(wf: Workflow, startedAt: string): number | undefined {
  const seconds = wf.spec.activeDeadlineSeconds;
  if (seconds === undefined || seconds === null) return undefined;
  const start = Date.parse(startedAt);
  return Number.isNaN(start) ? undefined : start + Number(seconds) * 1000;
}

function shutdownKill(wf: Workflow): Kill | undefined {
  const strategy = wf.spec.shutdown;
  if (strategy !== "Stop" && strategy !== "Terminate") return undefined;
  return {
    nodeMessage: `workflow shutdown with strategy: ${strategy}`,
    handlersRun: strategy === "Stop",
    workflowMessage: `Stopped with strategy '${strategy}'`,
  };
}

export function decideKill(wf: Workflow, startedAt: string, now: Date): Kill | undefined {
  const shutdown = shutdownKill(wf);
  if (shutdown !== undefined) return shutdown;
  if (wf.metadata.deletionTimestamp !== undefined && wf.metadata.deletionTimestamp !== null) {
    return {
      nodeMessage: "workflow deleted",
      handlersRun: !optedOutOfHandlerOnDelete(wf),
      workflowMessage: "Stopped because the workflow was deleted",
    };
  }
  const deadline = deadlineOf(wf, startedAt);
  if (deadline !== undefined && now.getTime() >= deadline) {
    return { nodeMessage: DEADLINE_MESSAGE, handlersRun: true, workflowMessage: undefined };
  }
  return undefined;
}

/** Whether a node must stop: a kill applies, and it is not part of an exit handler that still runs. */
export function isKilled(ctx: Ctx, onExit: boolean): boolean {
  return ctx.kill !== undefined && (!onExit || !ctx.kill.handlersRun);
}
