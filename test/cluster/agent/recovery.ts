// Pure: what to report for a pod whose containers were lost because the agent restarted.
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";

function started(s: V1ContainerStatus): boolean {
  return Boolean(s.state?.running || s.state?.terminated || s.lastState?.terminated);
}

/** Whether any container of the pod ever started (according to the pod's reported status). */
export function everStarted(pod: V1Pod): boolean {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].some(
    started,
  );
}

function lost(s: V1ContainerStatus, now: string): V1ContainerStatus {
  if (s.state?.terminated) return s;
  const startedAt = (s.state?.running?.startedAt as unknown as string | undefined) ?? now;
  return {
    ...s,
    ready: false,
    started: false,
    state: {
      terminated: {
        exitCode: 137,
        reason: "ContainerStatusUnknown",
        message: "The node agent restarted while the container ran; the container was lost",
        startedAt: startedAt as unknown as Date,
        finishedAt: now as unknown as Date,
      },
    },
  };
}

/**
 * For a restartPolicy Never pod that had started before the agent restarted: the Failed status to
 * report instead of running its containers a second time. Undefined when the pod can simply be (re)run.
 */
export function lostPodStatus(pod: V1Pod, now: string): Record<string, unknown> | undefined {
  if ((pod.spec?.restartPolicy ?? "Always") !== "Never" || !everStarted(pod)) return undefined;
  return {
    phase: "Failed",
    reason: "NodeAgentRestarted",
    message: "The node agent restarted while the pod ran; its containers were lost",
    initContainerStatuses: (pod.status?.initContainerStatuses ?? []).map((s) => lost(s, now)),
    containerStatuses: (pod.status?.containerStatuses ?? []).map((s) => lost(s, now)),
    conditions: (pod.status?.conditions ?? []).map((c) =>
      (c.type === "Ready" || c.type === "ContainersReady") && c.status !== "False"
        ? { ...c, status: "False", reason: "PodCompleted", lastTransitionTime: now }
        : c,
    ),
  };
}
