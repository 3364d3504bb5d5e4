// Pure: the agent's view of a pod's containers → the Pod status it reports to the API server.

export type ContainerState =
  | { kind: "waiting"; reason: string; message?: string }
  | { kind: "running"; startedAt: string }
  | {
      kind: "terminated";
      exitCode: number;
      signal?: number;
      reason: string;
      message?: string;
      startedAt: string;
      finishedAt: string;
    };

export type Terminated = Extract<ContainerState, { kind: "terminated" }>;

export interface ContainerRuntime {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: Terminated;
  restartCount: number;
  ready: boolean;
  /** False while a startup probe has not succeeded yet. */
  started?: boolean;
  containerID?: string;
}

export type RestartPolicy = "Always" | "OnFailure" | "Never";
export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed";

export interface PodRuntime {
  restartPolicy: RestartPolicy;
  hostIP: string;
  podIP?: string;
  startTime?: string;
  sandboxReady: boolean;
  init: ContainerRuntime[];
  containers: ContainerRuntime[];
  /** Set once the pod reached a terminal phase; never changes afterwards. */
  finalPhase?: "Succeeded" | "Failed";
  reason?: string;
  message?: string;
}

export interface PodCondition {
  type: string;
  status: "True" | "False";
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

/** Whether a terminated container counts as done for its restart policy (no restart coming). */
export function needsRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

function initDone(c: ContainerRuntime): boolean {
  return c.state.kind === "terminated" && c.state.exitCode === 0;
}

export function initFailedForGood(rt: PodRuntime): boolean {
  return (
    rt.restartPolicy === "Never" &&
    rt.init.some((c) => c.state.kind === "terminated" && c.state.exitCode !== 0)
  );
}

/** The kubelet's getPhase, for the states this agent produces. */
export function podPhase(rt: PodRuntime): PodPhase {
  if (rt.finalPhase !== undefined) return rt.finalPhase;
  if (initFailedForGood(rt)) return "Failed";
  if (!rt.init.every(initDone)) return "Pending";
  let running = 0;
  let waiting = 0;
  let failed = 0;
  for (const c of rt.containers) {
    const last =
      c.state.kind === "terminated" ? c.state : c.state.kind === "waiting" ? c.lastState : undefined;
    if (c.state.kind === "running") running++;
    else if (last === undefined) waiting++;
    else if (last.exitCode === 0) continue;
    else failed++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (rt.restartPolicy === "Always") return "Running";
  if (rt.restartPolicy === "OnFailure") return failed === 0 ? "Succeeded" : "Running";
  return failed > 0 ? "Failed" : "Succeeded";
}

function stateJson(s: ContainerState, containerID?: string): Record<string, unknown> {
  switch (s.kind) {
    case "waiting":
      return { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } };
    case "running":
      return { running: { startedAt: s.startedAt } };
    case "terminated": {
      const { kind: _kind, ...rest } = s;
      return { terminated: { ...rest, ...(containerID ? { containerID } : {}) } };
    }
  }
}

export function containerStatusJson(c: ContainerRuntime): Record<string, unknown> {
  return {
    name: c.name,
    image: c.image,
    imageID: "",
    ...(c.containerID ? { containerID: c.containerID } : {}),
    ready: c.ready,
    started: c.state.kind === "running" && c.started !== false,
    restartCount: c.restartCount,
    state: stateJson(c.state, c.containerID),
    lastState: c.lastState ? stateJson(c.lastState, c.containerID) : {},
  };
}

interface ConditionContext {
  previous: ReadonlyMap<string, PodCondition>;
  now: string;
}

function condition(
  type: string,
  ok: boolean,
  detail: { reason?: string; message?: string },
  { previous, now }: ConditionContext,
): PodCondition {
  const status = ok ? "True" : "False";
  const prev = previous.get(type);
  const lastTransitionTime = prev?.status === status ? prev.lastTransitionTime : now;
  return { type, status, ...(ok ? {} : detail), lastProbeTime: null, lastTransitionTime };
}

function names(cs: ContainerRuntime[]): string {
  return `[${cs.map((c) => c.name).join(" ")}]`;
}

export function podConditions(
  rt: PodRuntime,
  previous: ReadonlyMap<string, PodCondition>,
  now: string,
): PodCondition[] {
  const ctx: ConditionContext = { previous, now };
  const phase = podPhase(rt);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const notInit = rt.init.filter((c) => !initDone(c));
  const initialized = notInit.length === 0 || (terminal && phase === "Succeeded");
  const unready = rt.containers.filter((c) => !c.ready);
  const ready = initialized && unready.length === 0 && !terminal;
  const readyDetail = terminal
    ? { reason: "PodCompleted" }
    : unready.length > 0
      ? { reason: "ContainersNotReady", message: `containers with unready status: ${names(unready)}` }
      : {
          reason: "ContainersNotInitialized",
          message: `containers with incomplete status: ${names(notInit)}`,
        };
  return [
    condition("PodReadyToStartContainers", rt.sandboxReady, {}, ctx),
    condition(
      "Initialized",
      initialized,
      { reason: "ContainersNotInitialized", message: `containers with incomplete status: ${names(notInit)}` },
      ctx,
    ),
    condition("Ready", ready, readyDetail, ctx),
    condition("ContainersReady", ready, readyDetail, ctx),
    condition("PodScheduled", true, {}, ctx),
  ];
}

/** The `status` object to send as a merge patch. */
export function buildPodStatus(
  rt: PodRuntime,
  previous: ReadonlyMap<string, PodCondition>,
  now: string,
): Record<string, unknown> {
  const ips = rt.podIP ? { podIP: rt.podIP, podIPs: [{ ip: rt.podIP }] } : {};
  return {
    phase: podPhase(rt),
    hostIP: rt.hostIP,
    hostIPs: [{ ip: rt.hostIP }],
    ...ips,
    ...(rt.startTime ? { startTime: rt.startTime } : {}),
    ...(rt.reason ? { reason: rt.reason } : {}),
    ...(rt.message ? { message: rt.message } : {}),
    conditions: podConditions(rt, previous, now),
    initContainerStatuses: rt.init.map(containerStatusJson),
    containerStatuses: rt.containers.map(containerStatusJson),
  };
}

/** Kubernetes timestamps are RFC3339 with second precision. */
export function kubeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
