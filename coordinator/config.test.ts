import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.ts";

describe("parseConfig", () => {
  it("when only the namespace is set, then every other value takes its documented default", () => {
    const result = parseConfig({ ONEXIT_NAMESPACE: "onexit", PATH: "/bin" }, "host-1");
    expect(result).toEqual({
      ok: true,
      config: {
        namespace: "onexit",
        identity: "host-1",
        leaseName: "onexit-coordinator",
        reportPort: 8443,
        metricsPort: 9090,
        watchNamespace: "",
        workers: 32,
        coalesceMs: 1000,
        maxWorkflowSize: 1048576,
        relistIntervalMs: 300_000,
        defaultServiceAccountName: "default",
        stuckPodGraceMs: 180_000,
        logLevel: "info",
      },
    });
  });

  it("when ONEXIT_LOG_LEVEL is warn or error, then the level is kept (it once became debug: false)", () => {
    for (const level of ["debug", "info", "warn", "error"] as const)
      expect(parseConfig({ ONEXIT_NAMESPACE: "onexit", ONEXIT_LOG_LEVEL: level }, "h")).toMatchObject({
        config: { logLevel: level },
      });
  });

  it("when the pod name, ports and TLS files are set, then they are used", () => {
    const result = parseConfig(
      {
        ONEXIT_NAMESPACE: "onexit",
        ONEXIT_POD_NAME: "coord-0",
        ONEXIT_REPORT_PORT: "9443",
        ONEXIT_METRICS_PORT: "0",
        ONEXIT_TLS_CERT_FILE: "/tls/tls.crt",
        ONEXIT_TLS_KEY_FILE: "/tls/tls.key",
        ONEXIT_WATCH_NAMESPACE: "team-a",
        ONEXIT_FAILPOINTS_DIR: "/tmp/failpoints",
      },
      "host-1",
    );
    expect(result.ok && result.config).toMatchObject({
      identity: "coord-0",
      reportPort: 9443,
      metricsPort: 0,
      tls: { certFile: "/tls/tls.crt", keyFile: "/tls/tls.key" },
      watchNamespace: "team-a",
      failpointsDir: "/tmp/failpoints",
    });
  });

  it("when values are bad, then the error names every bad variable", () => {
    const result = parseConfig(
      { ONEXIT_NAMESPACE: "Bad_NS", ONEXIT_REPORT_PORT: "70000", ONEXIT_TLS_CERT_FILE: "/c" },
      "h",
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain("ONEXIT_NAMESPACE");
      expect(result.error).toContain("ONEXIT_REPORT_PORT");
    }
  });

  it("when ONEXIT_MAX_WORKFLOW_SIZE is set, then it is the limit in bytes, and one that is not a positive integer is refused", () => {
    expect(parseConfig({ ONEXIT_NAMESPACE: "a", ONEXIT_MAX_WORKFLOW_SIZE: "4096" }, "h")).toMatchObject({
      config: { maxWorkflowSize: 4096 },
    });
    for (const bad of ["0", "1.5", "1Mi"]) {
      const result = parseConfig({ ONEXIT_NAMESPACE: "a", ONEXIT_MAX_WORKFLOW_SIZE: bad }, "h");
      expect(result.ok || result.error).toContain("ONEXIT_MAX_WORKFLOW_SIZE");
    }
  });

  it("when the namespace is missing, then the config is refused", () => {
    const result = parseConfig({}, "h");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("ONEXIT_NAMESPACE");
  });

  it("when only one TLS file is given, then the config is refused", () => {
    const result = parseConfig({ ONEXIT_NAMESPACE: "a", ONEXIT_TLS_KEY_FILE: "/k" }, "h");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("set together");
  });

  it("when ONEXIT_ARTIFACT_REPOSITORY holds an S3 repository, then it is the default repository", () => {
    const repository = {
      s3: {
        endpoint: "10.250.0.1:8333",
        bucket: "onexit",
        insecure: true,
        accessKeySecret: { name: "onexit-artifacts", key: "accesskey" },
        secretKeySecret: { name: "onexit-artifacts", key: "secretkey" },
      },
    };
    const env = { ONEXIT_NAMESPACE: "onexit", ONEXIT_ARTIFACT_REPOSITORY: JSON.stringify(repository) };
    expect(parseConfig(env, "h")).toMatchObject({
      ok: true,
      config: { defaultArtifactRepository: repository },
    });
  });

  it("when ONEXIT_ARTIFACT_REPOSITORY is {} or null, then there is no default repository", () => {
    for (const value of ["{}", "null"]) {
      const result = parseConfig({ ONEXIT_NAMESPACE: "onexit", ONEXIT_ARTIFACT_REPOSITORY: value }, "h");
      expect(result.ok && result.config.defaultArtifactRepository).toBeUndefined();
    }
  });

  it("when ONEXIT_ARTIFACT_REPOSITORY lacks a field, then the error names it", () => {
    const env = { ONEXIT_NAMESPACE: "onexit", ONEXIT_ARTIFACT_REPOSITORY: '{"s3":{"bucket":"b"}}' };
    const result = parseConfig(env, "h");
    expect(!result.ok && result.error).toMatch(/^ONEXIT_ARTIFACT_REPOSITORY: s3\.accessKeySecret: /);
  });
});
