import { describe, expect, it } from "vitest";
import type { ArtifactPlan, S3Repository } from "./artifact-plan.ts";
import { credentialEnvName, parseArtifactPlan, planSecrets } from "./artifact-plan.ts";

const repository: S3Repository = {
  endpoint: "store:8333",
  bucket: "b",
  insecure: true,
  region: "us-east-1",
  keyPrefix: "wf/p",
  accessKeySecret: { name: "s", key: "access" },
  secretKeySecret: { name: "s", key: "secret" },
};
const plan: ArtifactPlan = {
  repository,
  outputs: [{ name: "o", path: "/o", key: "wf/p/o.tgz", archive: "tgz", optional: false }],
  inputs: [
    { name: "r", path: "/r", source: { kind: "raw", data: "x" }, optional: false, unpack: true },
    {
      name: "l",
      path: "/l",
      source: { kind: "s3-files", files: [{ name: "a.log", key: "k" }], repository },
      optional: false,
      unpack: false,
    },
  ],
  logsKey: "wf/p/main.log",
};

describe("parseArtifactPlan", () => {
  it("when the annotation holds a plan, then it is read back as written", () => {
    expect(parseArtifactPlan(JSON.stringify(plan))).toEqual({ plan });
  });

  it("when there is no annotation, then there is no plan and no error", () => {
    expect(parseArtifactPlan(undefined)).toEqual({});
    expect(parseArtifactPlan("")).toEqual({});
  });

  it("when the text is not a plan, then the error says so", () => {
    expect(parseArtifactPlan("{").error).toMatch(/^artifact plan is not JSON/);
    expect(parseArtifactPlan(JSON.stringify({ ...plan, outputs: [{ name: 1 }] })).error).toBe(
      "artifact plan is malformed",
    );
    const traversal = {
      ...plan,
      inputs: [
        { ...plan.inputs[1], source: { kind: "s3-files", files: [{ name: "../x", key: "k" }], repository } },
      ],
    };
    expect(parseArtifactPlan(JSON.stringify(traversal)).error).toBe("artifact plan is malformed");
    const { repository: _r, ...noRepository } = plan;
    expect(parseArtifactPlan(JSON.stringify(noRepository)).error).toBe(
      "artifact plan has outputs but no repository",
    );
  });
});

describe("planSecrets / credentialEnvName", () => {
  it("when the plan and its inputs name the same Secret keys, then each is listed once, each with its own env name", () => {
    const secrets = planSecrets(plan);
    expect(secrets).toEqual([repository.accessKeySecret, repository.secretKeySecret]);
    expect(new Set(secrets.map(credentialEnvName)).size).toBe(2);
    expect(credentialEnvName(repository.accessKeySecret)).toMatch(/^ONEXIT_CRED_[0-9a-f]+$/);
  });
});
