import { describe, expect, it } from "vitest";
import {
  buildPodStatus,
  kubeTime,
  podConditions,
  podPhase,
  type ContainerRuntime,
  type PodRuntime,
} from "./pod-status.ts";

const T = "2026-01-01T00:00:00Z";
const running = (name: string, ready = true): ContainerRuntime => ({
  name,
  image: "i",
  state: { kind: "running", startedAt: T },
  restartCount: 0,
  ready,
});
const exited = (name: string, exitCode: number): ContainerRuntime => ({
  name,
  image: "i",
  state: {
    kind: "terminated",
    exitCode,
    reason: exitCode === 0 ? "Completed" : "Error",
    startedAt: T,
    finishedAt: T,
  },
  restartCount: 0,
  ready: false,
});
const waiting = (name: string): ContainerRuntime => ({
  name,
  image: "i",
  state: { kind: "waiting", reason: "ContainerCreating" },
  restartCount: 0,
  ready: false,
});

function pod(over: Partial<PodRuntime>): PodRuntime {
  return {
    restartPolicy: "Never",
    hostIP: "10.250.0.1",
    sandboxReady: true,
    init: [],
    containers: [],
    ...over,
  };
}

describe("podPhase", () => {
  it("when an init container is still running, then the pod is Pending", () => {
    expect(podPhase(pod({ init: [running("i")], containers: [waiting("c")] }))).toBe("Pending");
  });

  it("when an init container failed and restartPolicy is Never, then the pod Failed", () => {
    expect(podPhase(pod({ init: [exited("i", 1)], containers: [waiting("c")] }))).toBe("Failed");
  });

  it("when one container runs and another exited, then the pod is Running", () => {
    expect(podPhase(pod({ containers: [running("a"), exited("b", 3)] }))).toBe("Running");
  });

  it("when all containers exited and one failed with Never, then the pod Failed", () => {
    expect(podPhase(pod({ containers: [exited("a", 0), exited("b", 3)] }))).toBe("Failed");
  });

  it("when all containers exited 0 with OnFailure, then the pod Succeeded", () => {
    expect(podPhase(pod({ restartPolicy: "OnFailure", containers: [exited("a", 0)] }))).toBe("Succeeded");
  });

  it("when a container waits to restart after failing with OnFailure, then the pod is Running", () => {
    const c: ContainerRuntime = {
      ...waiting("a"),
      state: { kind: "waiting", reason: "CrashLoopBackOff" },
      lastState: { kind: "terminated", exitCode: 1, reason: "Error", startedAt: T, finishedAt: T },
    };
    expect(podPhase(pod({ restartPolicy: "OnFailure", containers: [c] }))).toBe("Running");
  });

  it("when a final phase was recorded, then it wins", () => {
    expect(podPhase(pod({ finalPhase: "Failed", containers: [running("a")] }))).toBe("Failed");
  });
});

describe("podConditions", () => {
  it("when a container is not ready, then Ready and ContainersReady are False naming it", () => {
    const conds = podConditions(pod({ containers: [running("a", false), running("b")] }), new Map(), T);
    const ready = conds.find((c) => c.type === "Ready");
    expect(ready).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [a]",
    });
  });

  it("when the status did not change, then lastTransitionTime is kept", () => {
    const first = podConditions(pod({ containers: [running("a")] }), new Map(), "2026-01-01T00:00:00Z");
    const prev = new Map(first.map((c) => [c.type, c]));
    const second = podConditions(pod({ containers: [running("a")] }), prev, "2026-01-01T00:01:00Z");
    expect(second.find((c) => c.type === "Ready")?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
  });

  it("when the pod completed, then Ready is False with PodCompleted", () => {
    const conds = podConditions(pod({ containers: [exited("a", 0)] }), new Map(), T);
    expect(conds.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
  });
});

describe("buildPodStatus", () => {
  it("when a container terminated, then its status carries exit code, reason and times", () => {
    const s = buildPodStatus(
      pod({
        podIP: "10.250.1.2",
        startTime: T,
        containers: [{ ...exited("main", 3), containerID: "onexit://x" }],
      }),
      new Map(),
      T,
    );
    expect(s).toMatchObject({
      phase: "Failed",
      podIP: "10.250.1.2",
      podIPs: [{ ip: "10.250.1.2" }],
      hostIP: "10.250.0.1",
      startTime: T,
    });
    const cs = (s.containerStatuses as Array<Record<string, unknown>>)[0];
    expect(cs).toMatchObject({
      name: "main",
      restartCount: 0,
      ready: false,
      started: false,
      state: {
        terminated: { exitCode: 3, reason: "Error", startedAt: T, finishedAt: T, containerID: "onexit://x" },
      },
    });
  });
});

describe("kubeTime", () => {
  it("when given milliseconds, then it drops the fraction", () => {
    expect(kubeTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("2026-01-02T03:04:05Z");
  });
});
