// The second half of recording a step decided before its report came (pod-observe.ts `early`):
// once the report is stored, the node gets what it adds (`outputs.result`, `logBytes`) and the
// pod its completed label. Its phase and times never change (a terminal node's are final); only
// these two fields, which nothing read while they were missing, are filled in, and, when the
// sidecar gave up instead, its reason (in the message and a SidecarFailed event, as for any step).
// Until every such report is in (or can no longer come: the sidecar ended, the pod finished or
// went away), the workflow is not finished, so a finished workflow's status is as complete as
// one whose steps all waited for their reports.
import type { V1Pod } from "@kubernetes/client-node";
import { LABEL_COMPLETED, podName } from "../../../common/names.ts";
import type { Ctx } from "../context.ts";
import { setNode } from "../context.ts";
import { shortTemplateName } from "../refs/keys.ts";
import type { Action } from "../types.ts";
import type { NodeStatus } from "../workflow.ts";
import { observePod, withSidecarFailure } from "./pod-observe.ts";
import { podOutputs } from "./pod-outputs.ts";

/** The workflow's spec reads a step's `outputs.result` somewhere (a later step, a loop, a `when`). */
const readsResults = new WeakMap<object, boolean>();

/** Whether steps may be decided before their report (observePod's `early`): only when nobody reads a result. */
export function mayDecideEarly(ctx: Ctx): boolean {
  const spec = ctx.wf.spec;
  let reads = readsResults.get(spec);
  if (reads === undefined) {
    reads = JSON.stringify(spec).includes("outputs.result");
    readsResults.set(spec, reads);
  }
  return !reads;
}

/** Emitted once: a node in a terminal phase is never recorded again. */
export function sidecarFailedEvent(node: NodeStatus, pod: V1Pod, reason: string): Action {
  const message = `Step ${node.name} (pod ${pod.metadata?.name ?? ""}): sidecar: ${reason}`;
  return { kind: "event", type: "Warning", reason: "SidecarFailed", message };
}

/** Not labelled completed, nor being deleted. */
function openRecording(pod: V1Pod): boolean {
  if (pod.metadata?.labels?.[LABEL_COMPLETED] === "true") return false;
  return pod.metadata?.deletionTimestamp === undefined || pod.metadata.deletionTimestamp === null;
}

/**
 * A Succeeded pod node recorded from main alone (logBytes comes only with a report; a sidecar's
 * reason would be its message), its pod not labelled completed, nor being labelled in this pass.
 */
function awaitingPod(ctx: Ctx, node: NodeStatus, labelling: ReadonlySet<string>): V1Pod | undefined {
  const fromMainAlone =
    node.type === "Pod" &&
    node.phase === "Succeeded" &&
    node.logBytes === undefined &&
    node.message === undefined;
  if (!fromMainAlone) return undefined;
  const name = node.podName ?? podName(ctx.name, node.name, shortTemplateName(node.templateName));
  const pod = ctx.pods.get(name);
  return pod !== undefined && !labelling.has(name) && openRecording(pod) ? pod : undefined;
}

/**
 * Completes the recording of every step decided before its report whose report is now stored
 * (or can no longer come), and returns how many reports are still awaited: while any is, the
 * workflow stays Running.
 */
export function completeRecordings(ctx: Ctx): number {
  let awaited = 0;
  const labelling = new Set(ctx.actions.flatMap((a) => (a.kind === "labelPodCompleted" ? [a.name] : [])));
  for (const node of Object.values(ctx.nodes)) {
    const pod = awaitingPod(ctx, node, labelling);
    if (pod === undefined) continue;
    const seen = observePod(pod);
    if (seen.state !== "done") {
      awaited++;
      continue;
    }
    const template = ctx.templates.get(node.templateName);
    if (seen.report !== undefined && template !== undefined) {
      const added: NodeStatus = { ...node, outputs: podOutputs(template, seen).outputs };
      if (seen.logBytes !== undefined) added.logBytes = seen.logBytes;
      setNode(ctx, added);
    }
    if (seen.sidecarFailure !== undefined) {
      const message = withSidecarFailure(node.message, seen.sidecarFailure);
      setNode(ctx, message === undefined ? node : { ...node, message });
      ctx.actions.push(sidecarFailedEvent(node, pod, seen.sidecarFailure));
    }
    ctx.actions.push({ kind: "labelPodCompleted", name: pod.metadata?.name ?? "" });
  }
  return awaited;
}
