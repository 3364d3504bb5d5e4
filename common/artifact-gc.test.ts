import { describe, expect, it } from "vitest";
import { ARTIFACT_GC_ENV, parseArtifactGCJob } from "./artifact-gc.ts";

const repository = {
  endpoint: "10.250.0.1:8333",
  bucket: "b",
  insecure: true,
  region: "us-east-1",
  keyPrefix: "",
  accessKeySecret: { name: "c", key: "a" },
  secretKeySecret: { name: "c", key: "s" },
};

describe("parseArtifactGCJob", () => {
  it("when the env holds a job, then it is returned", () => {
    const text = JSON.stringify({ repository, keys: ["wf/p/out.tgz"] });
    expect(parseArtifactGCJob(text)).toEqual({ job: { repository, keys: ["wf/p/out.tgz"] } });
  });

  it("when the env is unset, not JSON or not a job, then the error names the variable", () => {
    expect(parseArtifactGCJob(undefined).error).toBe(`${ARTIFACT_GC_ENV} is not set`);
    expect(parseArtifactGCJob("{").error).toBe(`${ARTIFACT_GC_ENV}: not JSON`);
    expect(parseArtifactGCJob(JSON.stringify({ repository, keys: [""] })).error).toBe(
      `${ARTIFACT_GC_ENV}: not an artifact GC job`,
    );
  });
});
