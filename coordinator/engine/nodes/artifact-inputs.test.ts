import { describe, expect, it } from "vitest";
import type { S3Repository } from "../../../common/artifact-plan.ts";
import type { Template } from "../workflow.ts";
import { inputArtifactScope, parseReference, resolveInputArtifacts } from "./artifact-inputs.ts";

const repo: S3Repository = {
  endpoint: "store:8333",
  bucket: "b",
  insecure: true,
  region: "us-east-1",
  keyPrefix: "",
  accessKeySecret: { name: "s", key: "a" },
  secretKeySecret: { name: "s", key: "k" },
};

function consumer(artifacts: NonNullable<Template["inputs"]>["artifacts"]): Template {
  return { name: "use", container: { image: "alpine" }, inputs: { artifacts } } as Template;
}

describe("resolveInputArtifacts", () => {
  it("when an argument's from names an earlier step's artifact, then the input is that key, unpacked, with its mode", () => {
    const from = JSON.stringify({ name: "out", path: "/tmp/out", s3: { key: "wf/pod/out.tgz" } });
    const resolved = resolveInputArtifacts(
      consumer([{ name: "in", path: "/data/in", mode: 493 }]),
      { artifacts: [{ name: "in", from }] },
      repo,
    );
    expect(resolved).toEqual({
      ok: true,
      value: {
        plan: [
          {
            name: "in",
            path: "/data/in",
            source: { kind: "s3", key: "wf/pod/out.tgz", repository: repo },
            mode: 493,
            optional: false,
            unpack: true,
          },
        ],
        recorded: [{ name: "in", path: "/data/in", s3: { key: "wf/pod/out.tgz" } }],
      },
    });
  });

  it("when the input has its own raw, http or key source, then it is used; archive none is not unpacked", () => {
    const resolved = resolveInputArtifacts(
      consumer([
        { name: "r", path: "/r", raw: { data: "hello" } },
        { name: "h", path: "/h", http: { url: "https://x/y.tgz" } },
        { name: "k", path: "/k", s3: { key: "some/key" }, archive: { none: {} } },
      ]),
      {},
      repo,
    );
    expect(resolved.ok && resolved.value.plan.map((p) => [p.source.kind, p.unpack])).toEqual([
      ["raw", true],
      ["http", true],
      ["s3", false],
    ]);
  });

  it("when a required input is not supplied, then the error names it; an optional one is left out", () => {
    expect(resolveInputArtifacts(consumer([{ name: "in", path: "/in" }]), {}, repo)).toEqual({
      ok: false,
      error: "inputs.artifacts.in was not supplied",
    });
    expect(resolveInputArtifacts(consumer([{ name: "in", path: "/in", optional: true }]), {}, repo)).toEqual({
      ok: true,
      value: { plan: [], recorded: [] },
    });
  });

  it("when from does not name an artifact, or no repository is configured, then the error says so", () => {
    const bad = resolveInputArtifacts(
      consumer([{ name: "in", path: "/in" }]),
      { artifacts: [{ name: "in", from: "text" }] },
      repo,
    );
    expect(!bad.ok && bad.error).toBe(
      'inputs.artifacts.in.from: "text" is not an output artifact of an earlier step or task',
    );
    const none = resolveInputArtifacts(
      consumer([{ name: "in", path: "/in", s3: { key: "k" } }]),
      {},
      undefined,
    );
    expect(!none.ok && none.error).toMatch(/^inputs.artifacts.in: no artifact repository/);
  });

  it("when the handler asks for {{onexit.failedLogs}}, then the input is a directory of those objects", () => {
    const from = JSON.stringify({ onexitFailedLogs: [{ name: "wf-a-1.log", key: "wf/wf-a-1/main.log" }] });
    const resolved = resolveInputArtifacts(consumer([{ name: "logs", path: "/logs", from }]), {}, repo);
    expect(resolved.ok && resolved.value.plan[0]?.source).toEqual({
      kind: "s3-files",
      files: [{ name: "wf-a-1.log", key: "wf/wf-a-1/main.log" }],
      repository: repo,
    });
  });
});

describe("parseReference / inputArtifactScope", () => {
  it("when an input is recorded, then its path and the artifact itself are variables", () => {
    const recorded = [{ name: "in", path: "/in", s3: { key: "k" } }];
    expect(inputArtifactScope(recorded)).toEqual({
      "inputs.artifacts.in": JSON.stringify(recorded[0]),
      "inputs.artifacts.in.path": "/in",
    });
    expect(parseReference(JSON.stringify(recorded[0]))).toEqual({ ok: true, value: { key: "k" } });
  });
});
