import { describe, expect, it } from "vitest";
import { readableStatus } from "./argo-status.ts";
import { workflowFrom } from "./testing/world.ts";

describe("readableStatus", () => {
  it("when Argo's CLI wrote zero times as null, then they are dropped from the status and its nodes, and the input is left as it was", () => {
    const wf = workflowFrom(`spec: {entrypoint: main, templates: [{name: main, suspend: {}}]}`);
    const node = {
      id: "wf",
      name: "wf",
      displayName: "wf",
      type: "Steps",
      templateName: "main",
      phase: "Running",
    };
    wf.status = {
      startedAt: "2026-03-01T10:00:00Z",
      finishedAt: null,
      nodes: { wf: { ...node, finishedAt: null } },
    } as never;
    const frozen = structuredClone(wf);
    const read = readableStatus(wf);
    expect(read.status).toEqual({ startedAt: "2026-03-01T10:00:00Z", nodes: { wf: node } });
    expect(wf).toEqual(frozen);
  });

  it("when there is no status, then the workflow is returned as it is", () => {
    const wf = workflowFrom(`spec: {entrypoint: main, templates: [{name: main, suspend: {}}]}`);
    expect(readableStatus(wf)).toBe(wf);
  });
});
