import { describe, expect, it } from "vitest";
import { podEvent } from "./events.ts";

describe("podEvent", () => {
  it("when built, then it points at the pod and carries reason, source and times", () => {
    const e = podEvent(
      { metadata: { name: "p", namespace: "ns", uid: "u" } },
      {
        type: "Warning",
        reason: "BackOff",
        message: "m",
        component: "kubelet",
        host: "n",
        now: "2026-01-01T00:00:00Z",
      },
    );
    expect(e).toMatchObject({
      metadata: { namespace: "ns" },
      involvedObject: { kind: "Pod", name: "p", namespace: "ns", uid: "u" },
      type: "Warning",
      reason: "BackOff",
      source: { component: "kubelet", host: "n" },
      count: 1,
    });
    expect((e.metadata as { name: string }).name).toMatch(/^p\.[0-9a-f]{16}$/);
  });
});
