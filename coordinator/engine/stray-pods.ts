// Level-based clean-up: while steps are being stopped (shutdown, deadline, delete), any pod
// still running for a node that is already decided is deleted, even if an earlier delete
// was lost, or the pod showed up in the cache only after its node was failed.
import type { V1Pod } from "@kubernetes/client-node";
import { isNodeDone } from "./workflow.ts";
import { ANNOTATION_NODE_ID, LABEL_ON_EXIT } from "../../common/names.ts";
import type { Ctx } from "./context.ts";
import { observePod } from "./nodes/pod-observe.ts";
import { isKilled } from "./kill.ts";

function stillRunning(pod: V1Pod): boolean {
  if (pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null) return false;
  // A pod whose main ended 0 is not running, even while its sidecar still reports (`early`).
  return observePod(pod, true).state !== "done";
}

function decided(ctx: Ctx, pod: V1Pod): boolean {
  const node = ctx.nodes[pod.metadata?.annotations?.[ANNOTATION_NODE_ID] ?? ""];
  return node !== undefined && isNodeDone(node.phase);
}

export function deleteStrayPods(ctx: Ctx): void {
  const kill = ctx.kill;
  if (kill === undefined) return;
  const deleting = new Set(ctx.actions.flatMap((a) => (a.kind === "deletePod" ? [a.name] : [])));
  for (const [name, pod] of ctx.pods) {
    const onExit = pod.metadata?.labels?.[LABEL_ON_EXIT] === "true";
    const stray = !deleting.has(name) && decided(ctx, pod) && isKilled(ctx, onExit) && stillRunning(pod);
    if (stray) ctx.actions.push({ kind: "deletePod", name, reason: kill.nodeMessage });
  }
}
