// What the pod's status says about the `main` container. Pure.
import type { V1ContainerStateTerminated, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { MAIN_CONTAINER } from "../common/names.ts";

/** Watch events carry RFC 3339 strings; typed clients give Dates. Both are accepted. */
export type Timestamp = string | Date;

export interface MainTerminated {
  phase: "terminated";
  exitCode: number;
  reason?: string;
  message?: string;
  signal?: number;
  startedAt?: Timestamp;
  finishedAt?: Timestamp;
}

export type MainState =
  | { phase: "unknown" }
  | { phase: "waiting"; reason?: string }
  | { phase: "running"; startedAt?: Timestamp }
  | MainTerminated;

function mainStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === MAIN_CONTAINER);
}

function terminatedState(t: V1ContainerStateTerminated): MainTerminated {
  return {
    phase: "terminated",
    exitCode: t.exitCode,
    ...(t.reason ? { reason: t.reason } : {}),
    ...(t.message ? { message: t.message } : {}),
    ...(t.signal !== undefined ? { signal: t.signal } : {}),
    ...(t.startedAt ? { startedAt: t.startedAt } : {}),
    ...(t.finishedAt ? { finishedAt: t.finishedAt } : {}),
  };
}

export function mainState(pod: V1Pod): MainState {
  const state = mainStatus(pod)?.state;
  if (state?.terminated) return terminatedState(state.terminated);
  if (state?.running) {
    const startedAt = state.running.startedAt;
    return startedAt ? { phase: "running", startedAt } : { phase: "running" };
  }
  if (state?.waiting) {
    const reason = state.waiting.reason;
    return reason ? { phase: "waiting", reason } : { phase: "waiting" };
  }
  return { phase: "unknown" };
}

/** True once main has produced (or will produce no more) log: running or terminated. */
export function mainStarted(pod: V1Pod): boolean {
  const phase = mainState(pod).phase;
  return phase === "running" || phase === "terminated";
}

export function mainTerminated(pod: V1Pod): boolean {
  return mainState(pod).phase === "terminated";
}

/** The pod's grace period, which bounds everything the sidecar does after SIGTERM. */
export function gracePeriodSeconds(pod: V1Pod | undefined): number {
  return pod?.spec?.terminationGracePeriodSeconds ?? 30;
}
