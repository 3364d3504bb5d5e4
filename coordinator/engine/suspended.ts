// `spec.suspend: true` (`argo suspend`; `argo resume` removes it). As in Argo's controller, the
// pods already running are followed to their end and their results recorded, but no template is
// executed: no step, retry attempt, hook or exit handler starts and nothing moves on until the
// workflow is resumed. A kill overrides it (Stop, Terminate, deletion, the deadline): the kill's
// pass runs, so a stopped suspended workflow still runs its exit handler (Argo would stay
// suspended, argoproj/argo-workflows#17041).
import type { Workflow } from "./workflow.ts";
import type { Ctx } from "./context.ts";
import { observePodNode } from "./nodes/pod.ts";

export function isSuspended(wf: Workflow): boolean {
  return wf.spec.suspend === true;
}

/** Records the result of every pod node still running, without executing anything. */
export function followRunningPods(ctx: Ctx): void {
  for (const node of Object.values(ctx.nodes)) if (node.type === "Pod") observePodNode(ctx, node);
}
