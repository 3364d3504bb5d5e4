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
        debug: false,
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
});
