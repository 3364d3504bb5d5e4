// A step's pod that is not there: refused by the API server for good (the node errs at once),
// waiting to be created (quota, webhook, API server: the node stays Pending with the reason and
// the pod is asked for again, less and less often), or created but not (or no longer) seen.
import type { NodeStatus } from "../workflow.ts";
import type { Ctx } from "../context.ts";
import { finishNode, requestWake, updateNode } from "../context.ts";

/** How long a node may wait for its just-created pod to show up in the informer's cache. */
export const POD_VANISH_GRACE_MS = 10_000;

/** The node's message when the API server refused its pod for good. */
export function podRefusedMessage(apiMessage: string): string {
  return `pod could not be created: ${apiMessage}`;
}

/** Asking again for a pod not created yet: a quarter of the wait so far, within 1 to 15 s. */
export function createRetryDelayMs(waitedMs: number): number {
  return Math.min(15_000, Math.max(1_000, Math.round(waitedMs / 4)));
}

/** The API server's message if it refused to create this pod (never retried: same pod, same answer). */
export function refusal(ctx: Ctx, podName: string): string | undefined {
  return Object.hasOwn(ctx.podCreateFailures, podName) ? ctx.podCreateFailures[podName] : undefined;
}

/**
 * Why this node's pod is still to be created: the runtime's fresh reason, else the one the status
 * recorded (a restarted coordinator knows no refusals, but the Pending node kept the message).
 */
export function createWait(ctx: Ctx, node: NodeStatus, podName: string): string | undefined {
  if (Object.hasOwn(ctx.podsAwaitingCreate, podName)) return ctx.podsAwaitingCreate[podName];
  return isAwaitingCreate(node) ? node.message : undefined;
}

/** Only a wait for its pod's create gives a Pending pod node a message; the pod's existence clears it. */
export function isAwaitingCreate(node: NodeStatus): boolean {
  return node.phase === "Pending" && node.message !== undefined;
}

/** Records the reason on the Pending node, asks for the pod again, and looks again later. */
export function awaitCreate(ctx: Ctx, id: string, message: string): NodeStatus {
  const node = ctx.nodes[id] as NodeStatus;
  requestWake(ctx, createRetryDelayMs(ctx.now.getTime() - Date.parse(node.startedAt ?? ctx.nowIso)));
  return updateNode(ctx, id, { message });
}

/** A pod created but not seen: the informer may lag for a while, then the node errs `pod deleted`. */
export function vanished(ctx: Ctx, node: NodeStatus): NodeStatus {
  const age = ctx.now.getTime() - Date.parse(node.startedAt ?? ctx.nowIso);
  if (age >= POD_VANISH_GRACE_MS || Number.isNaN(age))
    return finishNode(ctx, node.id, "Error", "pod deleted");
  requestWake(ctx, POD_VANISH_GRACE_MS - age);
  return node;
}
