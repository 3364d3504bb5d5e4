import { describe, expect, it } from "vitest";
import type { Report } from "../../../common/report.ts";
import type { NodeStatus, Template } from "../workflow.ts";
import { recordedArtifacts } from "./artifact-outputs.ts";
import { failedLogsReference } from "./failed-logs.ts";
import type { PodResult } from "./pod-observe.ts";

const gen = {
  name: "gen",
  container: { image: "alpine", command: ["sh"] },
  outputs: {
    artifacts: [
      { name: "dir", path: "/tmp/dir" },
      { name: "file", path: "/tmp/f", archive: { none: {} } },
      { name: "maybe", path: "/tmp/m", optional: true },
    ],
  },
} as Template;

function result(report: Partial<Report> | undefined): PodResult {
  return { report: report as Report | undefined } as PodResult;
}

describe("recordedArtifacts", () => {
  it("when the sidecar uploaded the outputs and the log, then they are recorded as Argo records them", () => {
    const recorded = recordedArtifacts(
      gen,
      result({
        artifacts: [
          { name: "dir", key: "wf/p/dir.tgz" },
          { name: "file", key: "wf/p/f" },
          { name: "main-logs", key: "wf/p/main.log" },
        ],
      }),
    );
    expect(recorded).toEqual({
      artifacts: [
        { name: "dir", path: "/tmp/dir", s3: { key: "wf/p/dir.tgz" } },
        { name: "file", path: "/tmp/f", archive: { none: {} }, s3: { key: "wf/p/f" } },
        { name: "main-logs", s3: { key: "wf/p/main.log" } },
      ],
      missing: undefined,
    });
  });

  it("when a required output was not uploaded, then the sidecar's reason is the step's error; an optional one is not", () => {
    const recorded = recordedArtifacts(
      gen,
      result({
        artifacts: [{ name: "dir", key: "k" }],
        artifactError: "output artifact file: /tmp/f: no such file or directory",
      }),
    );
    expect(recorded.missing).toBe("output artifact file: /tmp/f: no such file or directory");
    expect(
      recordedArtifacts(
        gen,
        result({
          artifacts: [
            { name: "dir", key: "k" },
            { name: "file", key: "f" },
          ],
        }),
      ).missing,
    ).toBeUndefined();
    expect(recordedArtifacts(gen, result({ artifacts: [] })).missing).toBe(
      "output artifact dir: not uploaded",
    );
  });

  it("when there is no report, then nothing is recorded and nothing more is blamed", () => {
    expect(recordedArtifacts(gen, result(undefined))).toEqual({ artifacts: [], missing: undefined });
  });
});

describe("failedLogsReference", () => {
  it("when failed steps archived their logs, then the handler's reference lists <pod>.log for each, in start order", () => {
    const node = (name: string, phase: NodeStatus["phase"], startedAt: string, key?: string): NodeStatus => ({
      id: name,
      name,
      displayName: name,
      type: "Pod",
      templateName: "t",
      phase,
      startedAt,
      podName: `${name}-pod`,
      ...(key === undefined ? {} : { outputs: { artifacts: [{ name: "main-logs", s3: { key } }] } }),
    });
    const nodes = {
      b: node("b", "Failed", "2026-01-01T00:00:02Z", "wf/b/main.log"),
      a: node("a", "Error", "2026-01-01T00:00:01Z", "wf/a/main.log"),
      ok: node("ok", "Succeeded", "2026-01-01T00:00:00Z", "wf/ok/main.log"),
      nolog: node("nolog", "Failed", "2026-01-01T00:00:03Z"),
    };
    expect(JSON.parse(failedLogsReference("wf", nodes, new Map()))).toEqual({
      onexitFailedLogs: [
        { name: "a-pod.log", key: "wf/a/main.log" },
        { name: "b-pod.log", key: "wf/b/main.log" },
      ],
    });
  });
});
