// The second half of recording a step decided before its report came (pod-observe.ts `early`):
// once the report is stored, the node gets what it adds (`outputs.result`, `logBytes`) and the
// pod its completed label. Its phase, message and times never change (a terminal node's are
// final); only these two fields, which nothing read while they were missing, are filled in.
// Until every such report is in (or can no longer come: the sidecar ended, the pod finished or
// went away), the workflow is not finished, so a finished workflow's status is as complete as
// one whose steps all waited for their reports.
import type { V1Pod } from "@kubernetes/client-node";
import { LABEL_COMPLETED, podName } from "../../../common/names.ts";
import type { Ctx } from "../context.ts";
import { setNode } from "../context.ts";
import { shortTemplateName } from "../refs/keys.ts";
import type { NodeStatus } from "../workflow.ts";
import { observePod } from "./pod-observe.ts";
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

/** A Succeeded pod node recorded without a report (logBytes comes only with one), its pod not yet labelled. */
function awaitingPod(ctx: Ctx, node: NodeStatus): V1Pod | undefined {
  if (node.type !== "Pod" || node.phase !== "Succeeded" || node.logBytes !== undefined) return undefined;
  const name = node.podName ?? podName(ctx.name, node.name, shortTemplateName(node.templateName));
  const pod = ctx.pods.get(name);
  if (pod === undefined || pod.metadata?.labels?.[LABEL_COMPLETED] === "true") return undefined;
  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  return deleting ? undefined : pod;
}

/**
 * Completes the recording of every step decided before its report whose report is now stored
 * (or can no longer come), and returns how many reports are still awaited: while any is, the
 * workflow stays Running.
 */
export function completeRecordings(ctx: Ctx): number {
  let awaited = 0;
  for (const node of Object.values(ctx.nodes)) {
    const pod = awaitingPod(ctx, node);
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
    ctx.actions.push({ kind: "labelPodCompleted", name: pod.metadata?.name ?? "" });
  }
  return awaited;
}
