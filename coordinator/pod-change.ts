// Which pod changes are reconciled at once and which may wait to be coalesced. A step pod goes
// through half a dozen updates on its way (scheduled, pulling, init done, started, ...); with a
// reconcile per update, each writing the node's new message, the coordinator spent most of its
// passes (and status writes) on them under load (bench/README.md, issue 14). Only an end moves a
// workflow on: a container terminated, the pod's phase final, the pod going away, its report
// stored. Those are taken at once; the rest within the coalescing delay, in one pass.
import type { V1Pod } from "@kubernetes/client-node";
import { ANNOTATION_REPORT } from "../common/names.ts";
import type { ChangeType } from "./informer.ts";

const present = (value: unknown): boolean => value !== undefined && value !== null;

/** What in a pod can let its workflow move on: equal progress means nothing ended. */
function progressOf(pod: V1Pod | undefined): string {
  const metadata = pod?.metadata ?? {};
  const status = pod?.status ?? {};
  const terminated = (status.containerStatuses ?? [])
    .filter((c) => present(c.state?.terminated))
    .map((c) => c.name)
    .sort();
  return JSON.stringify([
    present(metadata.deletionTimestamp),
    status.phase === "Succeeded" || status.phase === "Failed",
    terminated,
    metadata.annotations?.[ANNOTATION_REPORT] ?? "",
  ]);
}

/** True when the change may let the workflow move on, so it is reconciled without delay. */
export function isUrgentPodChange(type: ChangeType, pod: V1Pod, previous: V1Pod | undefined): boolean {
  if (type === "delete") return true;
  return progressOf(pod) !== progressOf(previous);
}
