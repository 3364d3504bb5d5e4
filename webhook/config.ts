// The webhook's configuration, parsed once at startup from the environment
// (docs/CONTRACTS.md "Webhook environment"). Nothing else reads process.env.
import type { V1ResourceRequirements, V1SecurityContext } from "@kubernetes/client-node";
import { z } from "zod";
import { describeIssues } from "../common/issues.ts";
import { LOG_LEVELS, type LogLevel } from "../common/log.ts";
import { DEFAULT_SIDECAR_RESOURCES, DEFAULT_SIDECAR_SECURITY_CONTEXT } from "./inject-config.ts";

const port = (fallback: number): z.ZodDefault<z.ZodCoercedNumber> =>
  z.coerce.number().int().min(1).max(65535).default(fallback);
const jsonObject = z.string().transform((text, ctx) => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: "custom", message: "must be a JSON object" });
  return z.NEVER;
});

const envSchema = z.object({
  ONEXIT_WEBHOOK_PORT: port(8443),
  ONEXIT_METRICS_PORT: port(9090),
  ONEXIT_TLS_CERT_FILE: z.string().min(1),
  ONEXIT_TLS_KEY_FILE: z.string().min(1),
  ONEXIT_SIDECAR_IMAGE: z.string().min(1),
  ONEXIT_SIDECAR_RESOURCES: jsonObject.optional(),
  ONEXIT_SIDECAR_SECURITY_CONTEXT: jsonObject.optional(),
  ONEXIT_COORDINATOR_URL: z.url({ protocol: /^https?$/ }),
  ONEXIT_COORDINATOR_CA_FILE: z.string().min(1),
  // <namespace>:<name>: only pods this ServiceAccount creates are injected.
  ONEXIT_COORDINATOR_SERVICE_ACCOUNT: z
    .string()
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
      "must be <namespace>:<service account name>",
    ),
  ONEXIT_SIDECAR_DEADLINE_SECONDS: z.coerce.number().int().positive().default(300),
  ONEXIT_LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
});

export interface WebhookConfig {
  port: number;
  metricsPort: number;
  certFile: string;
  keyFile: string;
  caFile: string;
  image: string;
  resources: V1ResourceRequirements;
  securityContext: V1SecurityContext;
  coordinatorUrl: string;
  /** The AdmissionReview userInfo.username of the coordinator: system:serviceaccount:<ns>:<name>. */
  coordinatorUsername: string;
  deadlineSeconds: number;
  logLevel: LogLevel;
}

export type ConfigResult = { ok: true; config: WebhookConfig } | { ok: false; error: string };

export function parseWebhookConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      error: describeIssues(parsed.error),
    };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      port: e.ONEXIT_WEBHOOK_PORT,
      metricsPort: e.ONEXIT_METRICS_PORT,
      certFile: e.ONEXIT_TLS_CERT_FILE,
      keyFile: e.ONEXIT_TLS_KEY_FILE,
      caFile: e.ONEXIT_COORDINATOR_CA_FILE,
      image: e.ONEXIT_SIDECAR_IMAGE,
      resources:
        (e.ONEXIT_SIDECAR_RESOURCES as V1ResourceRequirements | undefined) ?? DEFAULT_SIDECAR_RESOURCES,
      securityContext:
        (e.ONEXIT_SIDECAR_SECURITY_CONTEXT as V1SecurityContext | undefined) ??
        DEFAULT_SIDECAR_SECURITY_CONTEXT,
      coordinatorUrl: e.ONEXIT_COORDINATOR_URL.replace(/\/+$/, ""),
      coordinatorUsername: `system:serviceaccount:${e.ONEXIT_COORDINATOR_SERVICE_ACCOUNT}`,
      deadlineSeconds: e.ONEXIT_SIDECAR_DEADLINE_SECONDS,
      logLevel: e.ONEXIT_LOG_LEVEL,
    },
  };
}
