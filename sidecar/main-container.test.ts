import { describe, expect, it } from "vitest";
import { gracePeriodSeconds, mainStarted, mainState, mainTerminated } from "./main-container.ts";
import { podWithMain, running, terminated } from "./testing/fakes.ts";

describe("mainState", () => {
  it("when main has no status yet, then it is unknown and not started", () => {
    const pod = podWithMain("p", undefined);
    expect(mainState(pod)).toEqual({ phase: "unknown" });
    expect(mainStarted(pod)).toBe(false);
  });

  it("when main is waiting, then the reason is kept and it is not started", () => {
    const pod = podWithMain("p", { waiting: { reason: "ContainerCreating" } });
    expect(mainState(pod)).toEqual({ phase: "waiting", reason: "ContainerCreating" });
    expect(mainStarted(pod)).toBe(false);
  });

  it("when main runs, then it is started but not terminated", () => {
    const pod = podWithMain("p", running);
    expect(mainStarted(pod)).toBe(true);
    expect(mainTerminated(pod)).toBe(false);
  });

  it("when main terminated, then exit code, reason and times are read", () => {
    const pod = podWithMain("p", terminated(3));
    expect(mainState(pod)).toEqual({
      phase: "terminated",
      exitCode: 3,
      reason: "Error",
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:02.500Z",
    });
    expect(mainStarted(pod) && mainTerminated(pod)).toBe(true);
  });

  it("when another container is called main-ish, then only main counts", () => {
    const pod = podWithMain("p", running);
    pod.status = { containerStatuses: [{ name: "wait", state: running } as never] };
    expect(mainState(pod)).toEqual({ phase: "unknown" });
  });

  it("when the grace period is not set, then it is Kubernetes' default of 30 s", () => {
    expect(gracePeriodSeconds(undefined)).toBe(30);
    const pod = podWithMain("p", running);
    pod.spec!.terminationGracePeriodSeconds = 5;
    expect(gracePeriodSeconds(pod)).toBe(5);
  });
});
