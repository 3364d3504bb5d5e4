// The sidecar's configuration, from the env the webhook injected (docs/CONTRACTS.md
// "Sidecar environment"). Parsed once at startup.
import { z } from "zod";

const envSchema = z.object({
  POD_NAME: z.string().min(1),
  POD_NAMESPACE: z.string().min(1),
  POD_UID: z.string().min(1),
  ONEXIT_WORKFLOW: z.string().optional(),
  ONEXIT_NODE_ID: z.string().optional(),
  ONEXIT_COORDINATOR_URL: z.url({ protocol: /^https?$/ }),
  ONEXIT_COORDINATOR_CA: z.string().optional(),
  ONEXIT_REPORT_TOKEN_FILE: z.string().min(1).default("/var/run/onexit/token/token"),
  ONEXIT_DEADLINE_SECONDS: z.coerce.number().int().positive().default(300),
  ONEXIT_OUTPUTS_DIR: z.string().min(1).default("/onexit/outputs"),
  ONEXIT_LOG_LEVEL: z.enum(["info", "debug"]).default("info"),
});

export interface SidecarConfig {
  pod: { name: string; namespace: string; uid: string };
  workflow: string;
  nodeId: string;
  coordinatorUrl: string;
  /** PEM; empty means the system trust store. */
  coordinatorCa: string;
  tokenFile: string;
  deadlineSeconds: number;
  outputsDir: string;
  debug: boolean;
}

export type SidecarConfigResult = { ok: true; config: SidecarConfig } | { ok: false; error: string };

export function parseSidecarConfig(env: Record<string, string | undefined>): SidecarConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      pod: { name: e.POD_NAME, namespace: e.POD_NAMESPACE, uid: e.POD_UID },
      workflow: e.ONEXIT_WORKFLOW ?? "",
      nodeId: e.ONEXIT_NODE_ID ?? "",
      coordinatorUrl: e.ONEXIT_COORDINATOR_URL.replace(/\/+$/, ""),
      coordinatorCa: e.ONEXIT_COORDINATOR_CA ?? "",
      tokenFile: e.ONEXIT_REPORT_TOKEN_FILE,
      deadlineSeconds: e.ONEXIT_DEADLINE_SECONDS,
      outputsDir: e.ONEXIT_OUTPUTS_DIR,
      debug: e.ONEXIT_LOG_LEVEL === "debug",
    },
  };
}
