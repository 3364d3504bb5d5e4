import { describe, expect, it } from "vitest";
import { parseSidecarConfig } from "./config.ts";

const env = {
  POD_NAME: "p",
  POD_NAMESPACE: "ns",
  POD_UID: "u",
  ONEXIT_WORKFLOW: "wf",
  ONEXIT_NODE_ID: "wf-123",
  ONEXIT_COORDINATOR_URL: "https://onexit-coordinator.onexit.svc:443/",
  ONEXIT_COORDINATOR_CA: "PEM",
};

describe("parseSidecarConfig", () => {
  it("when the webhook's env is present, then it is read with defaults for the rest", () => {
    expect(parseSidecarConfig(env)).toEqual({
      ok: true,
      config: {
        pod: { name: "p", namespace: "ns", uid: "u" },
        workflow: "wf",
        nodeId: "wf-123",
        coordinatorUrl: "https://onexit-coordinator.onexit.svc:443",
        coordinatorCa: "PEM",
        tokenFile: "/var/run/onexit/token/token",
        deadlineSeconds: 300,
        outputsDir: "/onexit/outputs",
        logLevel: "info",
        artifactPlan: "",
      },
    });
  });

  it("when the pod identity is missing, then every missing name is reported", () => {
    const result = parseSidecarConfig({ ...env, POD_UID: undefined, POD_NAME: "" });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/POD_NAME.*POD_UID/);
  });

  it("when the deadline is not a positive integer, then it is refused", () => {
    expect(parseSidecarConfig({ ...env, ONEXIT_DEADLINE_SECONDS: "-1" }).ok).toBe(false);
    expect(parseSidecarConfig({ ...env, ONEXIT_DEADLINE_SECONDS: "45" }).ok && true).toBe(true);
  });

  it("when the deadline is written as Number() reads it, then it is accepted; fractions, 0, Infinity and blanks are not", () => {
    const deadline = (value: string): number | string => {
      const result = parseSidecarConfig({ ...env, ONEXIT_DEADLINE_SECONDS: value });
      return result.ok ? result.config.deadlineSeconds : result.error;
    };
    expect([" 45 ", "1e3", "0x10"].map(deadline)).toEqual([45, 1000, 16]);
    for (const bad of ["", "abc", "1.5", "0", "Infinity", "9007199254740993"])
      expect(deadline(bad)).toBe(
        `ONEXIT_DEADLINE_SECONDS: must be a positive integer, got ${JSON.stringify(bad)}`,
      );
  });

  it("when the coordinator URL is http(s) with ://, then it is kept trimmed and without trailing slashes", () => {
    const url = (value: string | undefined): string => {
      const result = parseSidecarConfig({ ...env, ONEXIT_COORDINATOR_URL: value });
      return result.ok ? result.config.coordinatorUrl : result.error;
    };
    expect(url(" http://10.0.0.1:8443// ")).toBe("http://10.0.0.1:8443");
    expect(url("HTTPS://X/a//")).toBe("HTTPS://X/a");
    expect(url(undefined)).toBe("ONEXIT_COORDINATOR_URL: required");
    expect(url("")).toBe("ONEXIT_COORDINATOR_URL: must not be empty");
    for (const bad of ["ftp://x", "https:x", "http:/x", "https://", "https://exa mple", "coordinator:443"])
      expect(url(bad)).toBe(
        `ONEXIT_COORDINATOR_URL: must be an http or https URL, got ${JSON.stringify(bad)}`,
      );
  });

  it("when optional values are set, then they are used; set but empty paths are refused", () => {
    const result = parseSidecarConfig({
      ...env,
      ONEXIT_REPORT_TOKEN_FILE: "/t",
      ONEXIT_OUTPUTS_DIR: "/o",
      ONEXIT_DEADLINE_SECONDS: "7",
      ONEXIT_LOG_LEVEL: "debug",
      ONEXIT_WORKFLOW: undefined,
      ONEXIT_NODE_ID: undefined,
      ONEXIT_COORDINATOR_CA: undefined,
      UNRELATED: "ignored",
    });
    expect(result.ok && result.config).toMatchObject({
      workflow: "",
      nodeId: "",
      coordinatorCa: "",
      tokenFile: "/t",
      outputsDir: "/o",
      deadlineSeconds: 7,
      logLevel: "debug",
    });
    expect(parseSidecarConfig({ ...env, ONEXIT_REPORT_TOKEN_FILE: "", ONEXIT_OUTPUTS_DIR: "" })).toEqual({
      ok: false,
      error: "ONEXIT_REPORT_TOKEN_FILE: must not be empty; ONEXIT_OUTPUTS_DIR: must not be empty",
    });
  });

  it("when the log level is not debug, info, warn or error, then it is refused", () => {
    for (const level of ["debug", "info", "warn", "error"] as const)
      expect(parseSidecarConfig({ ...env, ONEXIT_LOG_LEVEL: level })).toMatchObject({
        config: { logLevel: level },
      });
    for (const bad of ["", "trace", "DEBUG"])
      expect(parseSidecarConfig({ ...env, ONEXIT_LOG_LEVEL: bad })).toEqual({
        ok: false,
        error: `ONEXIT_LOG_LEVEL: must be one of "debug", "info", "warn", "error", got ${JSON.stringify(bad)}`,
      });
  });

  it("when several variables are wrong, then one message names each, in order", () => {
    expect(parseSidecarConfig({ POD_NAMESPACE: "ns", POD_UID: "", ONEXIT_LOG_LEVEL: "x" })).toEqual({
      ok: false,
      error:
        "POD_NAME: required; POD_UID: must not be empty; ONEXIT_COORDINATOR_URL: required; " +
        'ONEXIT_LOG_LEVEL: must be one of "debug", "info", "warn", "error", got "x"',
    });
  });
});
