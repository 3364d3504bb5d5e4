// A step pod the kubelet cannot start without the user's help: a missing Secret or ConfigMap
// (CreateContainerConfigError), an image name that cannot be pulled. The kubelet retries these
// forever; the step would wait forever and the exit handler with it. The reason goes into the
// node's message at once (`kubectl describe wf`); past the grace the step ends in Error, so the
// handler runs. The grace leaves time to create the Secret or fix a registry hiccup.
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { isoOf } from "./pod-observe.ts";

/** Waiting reasons that only change when someone fixes the pod's inputs. */
const STUCK_REASONS: ReadonlySet<string> = new Set([
  "CreateContainerConfigError",
  "CreateContainerError",
  "InvalidImageName",
  "ErrImagePull",
  "ImagePullBackOff",
  "ErrImageNeverPull",
]);

/** How long a pod may stay stuck before its step ends in Error. */
export const STUCK_GRACE_MS = 180_000;

/** The prefix of a node message set while its pod is stuck: cleared once the pod moves on. */
export const STUCK_MESSAGE_PREFIX = "pod cannot start: ";

export type StuckDecision =
  { kind: "waiting"; message: string; wakeAfterMs: number } | { kind: "fail"; message: string };

function stuckStatus(pod: V1Pod): V1ContainerStatus | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.find((s) => STUCK_REASONS.has(s.state?.waiting?.reason ?? ""));
}

/** Since when the pod has been the kubelet's: its start time, else its creation. */
function sinceMs(pod: V1Pod): number | undefined {
  const since = isoOf(pod.status?.startTime) ?? isoOf(pod.metadata?.creationTimestamp);
  const ms = since === undefined ? NaN : Date.parse(since);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Undefined when no container of the pod is stuck. */
export function stuckDecision(
  pod: V1Pod,
  nowMs: number,
  graceMs = STUCK_GRACE_MS,
): StuckDecision | undefined {
  const status = stuckStatus(pod);
  if (status === undefined) return undefined;
  const waiting = status.state?.waiting;
  const detail = waiting?.message ? `: ${waiting.message}` : "";
  const message = `${STUCK_MESSAGE_PREFIX}container ${status.name}: ${waiting?.reason ?? ""}${detail}`;
  const since = sinceMs(pod) ?? nowMs;
  const left = since + graceMs - nowMs;
  if (left > 0) return { kind: "waiting", message, wakeAfterMs: left };
  return { kind: "fail", message: `${message} (for ${Math.round((nowMs - since) / 1000)} s)` };
}
