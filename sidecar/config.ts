// The sidecar's configuration, from the env the webhook injected (docs/CONTRACTS.md
// "Sidecar environment"). Parsed once at startup.
// Parsed by hand, not with zod: zod alone would cost ~18 MiB of the sidecar's memory budget.

import { LOG_LEVELS, type LogLevel } from "../common/log.ts";
import { OUTPUTS_MOUNT_PATH, TOKEN_FILE } from "../common/names.ts";
import { SIDECAR_ENV } from "../common/sidecar-env.ts";
import { ARTIFACT_PLAN_ENV } from "../common/artifact-plan.ts";

type Env = Record<string, string | undefined>;

interface EnvReader {
  /** One message per bad variable, each naming it, in the order they were read. */
  errors: string[];
  required(name: string): string;
  optional(name: string): string;
  nonEmpty(name: string, fallback: string): string;
  httpUrl(name: string): string;
  positiveInteger(name: string, fallback: number): number;
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
}

function envReader(env: Env): EnvReader {
  const errors: string[] = [];
  const fail = (name: string, message: string): void => {
    errors.push(`${name}: ${message}`);
  };
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined) fail(name, "required");
    else if (value === "") fail(name, "must not be empty");
    return value ?? "";
  };
  return {
    errors,
    required,
    optional: (name: string): string => env[name] ?? "",
    /** Unset means the default; set but empty is an error. */
    nonEmpty(name: string, fallback: string): string {
      const value = env[name];
      if (value === "") fail(name, "must not be empty");
      return value || fallback;
    },
    /** An absolute http(s) URL written with `://`; blanks around it trimmed, tabs and newlines dropped. */
    httpUrl(name: string): string {
      const value = required(name);
      const trimmed = value.trim();
      if (value !== "" && (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)))
        fail(name, `must be an http or https URL, got ${JSON.stringify(value)}`);
      return trimmed.replace(/[\t\n\r]/g, "");
    },
    /** Read as Number() reads it (blanks trimmed, 1e3, 0x10), then a safe integer > 0. */
    positiveInteger(name: string, fallback: number): number {
      const value = env[name];
      if (value === undefined) return fallback;
      const n = Number(value);
      if (Number.isSafeInteger(n) && n > 0) return n;
      fail(name, `must be a positive integer, got ${JSON.stringify(value)}`);
      return fallback;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = env[name];
      if (value === undefined) return fallback;
      const found = allowed.find((a) => a === value);
      if (found === undefined)
        fail(name, `must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}`);
      return found ?? fallback;
    },
  };
}

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
  logLevel: LogLevel;
  /** The artifact plan's JSON (downward API), "" when the pod has none; parsed where it is used. */
  artifactPlan: string;
}

export type SidecarConfigResult = { ok: true; config: SidecarConfig } | { ok: false; error: string };

export function parseSidecarConfig(env: Env): SidecarConfigResult {
  const read = envReader(env);
  const config: SidecarConfig = {
    pod: {
      name: read.required(SIDECAR_ENV.podName),
      namespace: read.required(SIDECAR_ENV.podNamespace),
      uid: read.required(SIDECAR_ENV.podUid),
    },
    workflow: read.optional(SIDECAR_ENV.workflow),
    nodeId: read.optional(SIDECAR_ENV.nodeId),
    coordinatorUrl: read.httpUrl(SIDECAR_ENV.coordinatorUrl).replace(/\/+$/, ""),
    coordinatorCa: read.optional(SIDECAR_ENV.coordinatorCa),
    tokenFile: read.nonEmpty(SIDECAR_ENV.tokenFile, TOKEN_FILE),
    deadlineSeconds: read.positiveInteger(SIDECAR_ENV.deadlineSeconds, 300),
    outputsDir: read.nonEmpty(SIDECAR_ENV.outputsDir, OUTPUTS_MOUNT_PATH),
    logLevel: read.oneOf(SIDECAR_ENV.logLevel, LOG_LEVELS, "info"),
    artifactPlan: read.optional(ARTIFACT_PLAN_ENV),
  };
  return read.errors.length > 0 ? { ok: false, error: read.errors.join("; ") } : { ok: true, config };
}
