import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { lostPodStatus } from "./recovery.ts";

const T = "2026-01-01T00:00:00Z";
const pod = (policy: string, running: boolean): V1Pod =>
  ({
    metadata: { name: "p" },
    spec: { restartPolicy: policy, containers: [{ name: "main" }] },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [
        {
          name: "main",
          image: "i",
          imageID: "",
          ready: true,
          restartCount: 0,
          state: running ? { running: { startedAt: T } } : { waiting: { reason: "ContainerCreating" } },
        },
      ],
    },
  }) as unknown as V1Pod;

describe("lostPodStatus", () => {
  it("when a Never pod had a running container, then it is reported Failed with the container lost", () => {
    const s = lostPodStatus(pod("Never", true), "2026-01-01T00:01:00Z");
    expect(s?.["conditions"]).toEqual([
      { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: "2026-01-01T00:01:00Z" },
    ]);
    expect(s).toMatchObject({
      phase: "Failed",
      containerStatuses: [
        {
          name: "main",
          state: { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", startedAt: T } },
        },
      ],
    });
  });

  it("when the pod never started or may restart, then it can simply run", () => {
    expect(lostPodStatus(pod("Never", false), T)).toBeUndefined();
    expect(lostPodStatus(pod("Always", true), T)).toBeUndefined();
  });
});
