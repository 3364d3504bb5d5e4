// The coordinator's configuration, parsed once at startup from the environment
// (docs/CONTRACTS.md "Coordinator environment") and passed down; nothing else reads env.
import { z } from "zod";
import { describeIssues } from "../common/issues.ts";
import { LOG_LEVELS, type LogLevel } from "../common/log.ts";
import { checkRepository, type ArtifactRepository } from "./engine/index.ts";
import { DEFAULT_MAX_WORKFLOW_SIZE } from "./node-status-packing.ts";

const port = z.coerce.number().int().min(0).max(65535);

const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS-1123 label");

const envSchema = z
  .object({
    ONEXIT_NAMESPACE: dnsLabel,
    ONEXIT_POD_NAME: z.string().min(1).optional(),
    ONEXIT_LEASE_NAME: z.string().min(1).max(253).default("onexit-coordinator"),
    ONEXIT_REPORT_PORT: port.default(8443),
    ONEXIT_TLS_CERT_FILE: z.string().min(1).optional(),
    ONEXIT_TLS_KEY_FILE: z.string().min(1).optional(),
    ONEXIT_METRICS_PORT: port.default(9090),
    ONEXIT_WATCH_NAMESPACE: z.union([z.literal(""), dnsLabel]).default(""),
    // Argo's --workflow-workers default: a reconcile mostly waits for the API server, so at 100
    // concurrent workflows 4 workers were the queue's limit (bench/README.md, issue 14).
    ONEXIT_WORKERS: z.coerce.number().int().min(1).max(64).default(32),
    // A pod change that cannot move its workflow on (scheduled, pulling, started) waits this long
    // to be reconciled with the others of its workflow (coordinator/pod-change.ts); ends do not wait.
    ONEXIT_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
    // Argo's MAX_WORKFLOW_SIZE: a Workflow whose JSON is longer is written with status.nodes
    // compressed, and one longer even so ends in Error (coordinator/node-status-packing.ts).
    ONEXIT_MAX_WORKFLOW_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 ** 31)
      .default(DEFAULT_MAX_WORKFLOW_SIZE),
    ONEXIT_RELIST_SECONDS: z.coerce.number().int().min(10).max(86400).default(300),
    ONEXIT_DEFAULT_SERVICE_ACCOUNT: z.string().min(1).default("default"),
    ONEXIT_STUCK_POD_GRACE_SECONDS: z.coerce.number().int().min(1).max(86400).default(180),
    ONEXIT_LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    ONEXIT_FAILPOINTS_DIR: z.string().min(1).optional(),
    ONEXIT_ARTIFACT_REPOSITORY: z.string().optional(),
    ONEXIT_IMAGE: z.string().min(1).optional(),
  })
  .refine((env) => (env.ONEXIT_TLS_CERT_FILE === undefined) === (env.ONEXIT_TLS_KEY_FILE === undefined), {
    message: "ONEXIT_TLS_CERT_FILE and ONEXIT_TLS_KEY_FILE must be set together",
    path: ["ONEXIT_TLS_CERT_FILE"],
  });

export interface CoordinatorConfig {
  namespace: string;
  /** Leader-election identity: the pod's name, or the host name outside a cluster. */
  identity: string;
  leaseName: string;
  reportPort: number;
  /** Absent only for local development: the report endpoint then serves plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  metricsPort: number;
  /** Empty: every namespace. */
  watchNamespace: string;
  workers: number;
  /** How long a pod change that cannot move a workflow on may wait to be coalesced (pod-change.ts). */
  coalesceMs: number;
  /** Bytes of a Workflow's JSON beyond which its nodes are compressed, as Argo's MAX_WORKFLOW_SIZE. */
  maxWorkflowSize: number;
  relistIntervalMs: number;
  defaultServiceAccountName: string;
  /** How long a step pod may wait for what only its author can fix (engine/nodes/pod-stuck.ts). */
  stuckPodGraceMs: number;
  logLevel: LogLevel;
  /** Fault injection for `make faults` (coordinator/failpoints.ts); absent in production. */
  failpointsDir?: string;
  /** The chart's `artifactRepository` (Argo's shape, JSON); absent when none is set. */
  defaultArtifactRepository?: ArtifactRepository;
  /** onexit's own image, which the artifact GC pods run; absent: artifact GC fails saying so. */
  image?: string;
}

/** `ONEXIT_ARTIFACT_REPOSITORY`: JSON of Argo's ArtifactRepository; `{}` or `null` means none. */
function parseArtifactRepository(
  text: string | undefined,
): { ok: true; value?: ArtifactRepository } | { ok: false; error: string } {
  if (text === undefined) return { ok: true };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: "ONEXIT_ARTIFACT_REPOSITORY: not JSON" };
  }
  if (raw === null || (typeof raw === "object" && Object.keys(raw).length === 0)) return { ok: true };
  const checked = checkRepository(raw);
  return checked.ok
    ? { ok: true, value: checked.value }
    : { ok: false, error: `ONEXIT_ARTIFACT_REPOSITORY: ${checked.error}` };
}

export type ConfigResult = { ok: true; config: CoordinatorConfig } | { ok: false; error: string };

export function parseConfig(env: Record<string, string | undefined>, hostname: string): ConfigResult {
  // An empty string means "unset" for every optional variable (Helm renders absent values as "").
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith("ONEXIT_") && value !== ""),
  );
  if (env.ONEXIT_WATCH_NAMESPACE === "") cleaned.ONEXIT_WATCH_NAMESPACE = "";
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    return { ok: false, error: describeIssues(result.error, { whenEmpty: "environment" }) };
  }
  const e = result.data;
  const repository = parseArtifactRepository(e.ONEXIT_ARTIFACT_REPOSITORY);
  if (!repository.ok) return { ok: false, error: repository.error };
  const tls =
    e.ONEXIT_TLS_CERT_FILE !== undefined && e.ONEXIT_TLS_KEY_FILE !== undefined
      ? { certFile: e.ONEXIT_TLS_CERT_FILE, keyFile: e.ONEXIT_TLS_KEY_FILE }
      : undefined;
  return {
    ok: true,
    config: {
      namespace: e.ONEXIT_NAMESPACE,
      identity: e.ONEXIT_POD_NAME ?? hostname,
      leaseName: e.ONEXIT_LEASE_NAME,
      reportPort: e.ONEXIT_REPORT_PORT,
      ...(tls === undefined ? {} : { tls }),
      metricsPort: e.ONEXIT_METRICS_PORT,
      watchNamespace: e.ONEXIT_WATCH_NAMESPACE,
      workers: e.ONEXIT_WORKERS,
      coalesceMs: e.ONEXIT_COALESCE_MS,
      maxWorkflowSize: e.ONEXIT_MAX_WORKFLOW_SIZE,
      relistIntervalMs: e.ONEXIT_RELIST_SECONDS * 1000,
      defaultServiceAccountName: e.ONEXIT_DEFAULT_SERVICE_ACCOUNT,
      stuckPodGraceMs: e.ONEXIT_STUCK_POD_GRACE_SECONDS * 1000,
      logLevel: e.ONEXIT_LOG_LEVEL,
      ...(e.ONEXIT_FAILPOINTS_DIR === undefined ? {} : { failpointsDir: e.ONEXIT_FAILPOINTS_DIR }),
      ...(repository.value === undefined ? {} : { defaultArtifactRepository: repository.value }),
      ...(e.ONEXIT_IMAGE === undefined ? {} : { image: e.ONEXIT_IMAGE }),
    },
  };
}
