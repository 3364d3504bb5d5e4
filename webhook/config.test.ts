import { describe, expect, it } from "vitest";
import { parseWebhookConfig } from "./config.ts";
import { DEFAULT_SIDECAR_SECURITY_CONTEXT } from "./inject-config.ts";

const minimal = {
  ONEXIT_TLS_CERT_FILE: "/tls/tls.crt",
  ONEXIT_TLS_KEY_FILE: "/tls/tls.key",
  ONEXIT_SIDECAR_IMAGE: "ghcr.io/onexit/onexit:1",
  ONEXIT_COORDINATOR_URL: "https://onexit-coordinator.onexit.svc:443/",
  ONEXIT_COORDINATOR_CA_FILE: "/tls/ca.crt",
  ONEXIT_COORDINATOR_SERVICE_ACCOUNT: "onexit:onexit-coordinator",
};

describe("parseWebhookConfig", () => {
  it("when only the required variables are set, then ports and deadline take their defaults", () => {
    const result = parseWebhookConfig(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      port: 8443,
      metricsPort: 9090,
      deadlineSeconds: 300,
      logLevel: "info",
    });
    expect(result.config.coordinatorUrl).toBe("https://onexit-coordinator.onexit.svc:443");
    expect(result.config.coordinatorUsername).toBe("system:serviceaccount:onexit:onexit-coordinator");
    expect(result.config.securityContext).toEqual(DEFAULT_SIDECAR_SECURITY_CONTEXT);
  });

  it("when ONEXIT_LOG_LEVEL is warn or error, then it is kept (not reduced to a debug switch)", () => {
    for (const level of ["debug", "info", "warn", "error"] as const)
      expect(parseWebhookConfig({ ...minimal, ONEXIT_LOG_LEVEL: level })).toMatchObject({
        config: { logLevel: level },
      });
    expect(parseWebhookConfig({ ...minimal, ONEXIT_LOG_LEVEL: "trace" }).ok).toBe(false);
  });

  it("when resources and security context are JSON, then they are used as given", () => {
    const result = parseWebhookConfig({
      ...minimal,
      ONEXIT_SIDECAR_RESOURCES: '{"limits":{"memory":"64Mi"}}',
      ONEXIT_SIDECAR_SECURITY_CONTEXT: '{"runAsUser":1000}',
      ONEXIT_WEBHOOK_PORT: "9443",
    });
    expect(result.ok && result.config.resources).toEqual({ limits: { memory: "64Mi" } });
    expect(result.ok && result.config.securityContext).toEqual({ runAsUser: 1000 });
    expect(result.ok && result.config.port).toBe(9443);
  });

  it("when variables are missing or malformed, then every problem is named", () => {
    const result = parseWebhookConfig({
      ...minimal,
      ONEXIT_SIDECAR_IMAGE: undefined,
      ONEXIT_SIDECAR_RESOURCES: "[1]",
      ONEXIT_METRICS_PORT: "x",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("ONEXIT_SIDECAR_IMAGE");
    expect(result.error).toContain("ONEXIT_SIDECAR_RESOURCES: must be a JSON object");
    expect(result.error).toContain("ONEXIT_METRICS_PORT");
  });

  it("when the coordinator URL is not http(s), then it is refused", () => {
    expect(parseWebhookConfig({ ...minimal, ONEXIT_COORDINATOR_URL: "ftp://x" }).ok).toBe(false);
  });

  it.each([undefined, "", "onexit-coordinator", "system:serviceaccount:onexit:onexit-coordinator"])(
    "when the coordinator's service account is %j, then the config is refused naming the variable",
    (value) => {
      const result = parseWebhookConfig({ ...minimal, ONEXIT_COORDINATOR_SERVICE_ACCOUNT: value });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toContain("ONEXIT_COORDINATOR_SERVICE_ACCOUNT");
    },
  );
});
