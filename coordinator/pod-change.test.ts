import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANNOTATION_REPORT } from "../common/names.ts";
import { isUrgentPodChange } from "./pod-change.ts";

const pending: V1Pod = { metadata: { name: "p", resourceVersion: "1" }, status: { phase: "Pending" } };

function running(...terminated: string[]): V1Pod {
  const state = (name: string): { terminated: { exitCode: number } } | { running: object } =>
    terminated.includes(name) ? { terminated: { exitCode: 0 } } : { running: {} };
  return {
    metadata: { name: "p" },
    status: {
      phase: "Running",
      containerStatuses: ["main", "wait"].map((name) => ({
        name,
        image: "i",
        imageID: "",
        ready: true,
        restartCount: 0,
        state: state(name),
      })),
    },
  };
}

describe("isUrgentPodChange", () => {
  it("when a pod is created, scheduled or started, then the change may wait", () => {
    expect(isUrgentPodChange("add", pending, undefined)).toBe(false);
    expect(isUrgentPodChange("update", running(), pending)).toBe(false);
  });

  it("when main terminates, then the change is urgent, and so is the sidecar's end after it", () => {
    expect(isUrgentPodChange("update", running("main"), running())).toBe(true);
    expect(isUrgentPodChange("update", running("main", "wait"), running("main"))).toBe(true);
  });

  it("when the pod's phase becomes final, it is being deleted, or it is gone, then the change is urgent", () => {
    const failed: V1Pod = { ...pending, status: { phase: "Failed" } };
    expect(isUrgentPodChange("update", failed, pending)).toBe(true);
    const deleting: V1Pod = { ...pending, metadata: { ...pending.metadata, deletionTimestamp: new Date(0) } };
    expect(isUrgentPodChange("update", deleting, pending)).toBe(true);
    expect(isUrgentPodChange("delete", pending, pending)).toBe(true);
  });

  it("when a report is stored, then the change is urgent", () => {
    const reported: V1Pod = { ...running("main"), metadata: { annotations: { [ANNOTATION_REPORT]: "{}" } } };
    expect(isUrgentPodChange("update", reported, running("main"))).toBe(true);
  });

  it("when a pod first seen has already ended (a restart, a relist), then it is urgent", () => {
    expect(isUrgentPodChange("add", running("main"), undefined)).toBe(true);
  });

  it("when only a label or a message changes after the end, then the change may wait", () => {
    const labelled: V1Pod = { ...running("main", "wait"), metadata: { labels: { a: "b" } } };
    expect(isUrgentPodChange("update", labelled, running("main", "wait"))).toBe(false);
  });
});
