import { describe, expect, it } from "vitest";
import { DEFAULT_KEY_FORMAT } from "../../../common/artifact-plan.ts";
import { keyFormatOf, s3RepositoryOf } from "./s3.ts";

const secrets = { accessKeySecret: { name: "c", key: "a" }, secretKeySecret: { name: "c", key: "s" } };

describe("keyFormatOf", () => {
  it("when no format is set, then Argo's default is used", () => {
    expect(keyFormatOf({})).toBe(DEFAULT_KEY_FORMAT);
  });

  it("when only the deprecated keyPrefix is set, then it comes before the default", () => {
    expect(keyFormatOf({ keyPrefix: "runs/" })).toBe("runs/{{workflow.name}}/{{pod.name}}");
  });

  it("when keyFormat is set, then it wins", () => {
    expect(keyFormatOf({ keyFormat: "x/{{workflow.uid}}", keyPrefix: "runs" })).toBe("x/{{workflow.uid}}");
  });
});

describe("s3RepositoryOf", () => {
  it("when fields are left out, then Argo's defaults are filled in", () => {
    expect(s3RepositoryOf({ s3: { bucket: "b", ...secrets } }, "wf/pod")).toEqual({
      endpoint: "s3.amazonaws.com",
      bucket: "b",
      insecure: false,
      region: "us-east-1",
      keyPrefix: "wf/pod",
      ...secrets,
    });
  });

  it("when there is no S3 repository, then there is no store", () => {
    expect(s3RepositoryOf(undefined, "p")).toBeUndefined();
    expect(s3RepositoryOf({ archiveLogs: true }, "p")).toBeUndefined();
  });
});
