// The artifact plan of one step pod: what to place before `main` starts and what to upload after
// it ends. The coordinator writes it (engine: resolved repository, keys already substituted) as a
// JSON annotation on the pod it creates; the webhook reads it to add the init work, the copier and
// the credentials' env; the sidecar reads it (downward API) to upload. Nothing here is trusted
// from the pod's author: the webhook and sidecar act on it only for pods the coordinator owns.
// Documented in docs/CONTRACTS.md "Artifact plan".

/** The pod annotation holding the plan as JSON (ArtifactPlan). */
export const ARTIFACT_PLAN_ANNOTATION = "onexit.dev/artifact-plan";

/** An S3-compatible store, resolved from `artifactRepositoryRef`, the `artifact-repositories`
 * ConfigMap or the chart's default. Credentials are named, never copied: the pod's containers
 * read them from the Secret in the workflow's namespace (env `valueFrom.secretKeyRef`). */
export interface S3Repository {
  /** host[:port], as Argo's `s3.endpoint`. */
  endpoint: string;
  bucket: string;
  /** Plain HTTP when true (Argo's `insecure`). */
  insecure: boolean;
  region: string;
  /** Argo's `keyFormat`, already substituted for this pod (`{{workflow.name}}/{{pod.name}}` …). */
  keyPrefix: string;
  accessKeySecret: SecretKeyRef;
  secretKeySecret: SecretKeyRef;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

/** Argo's default `archive`: tar + gzip. `none` uploads a single file as it is. */
export type ArchiveMode = "tgz" | "none";

export interface OutputArtifact {
  name: string;
  /** The path in `main`'s filesystem. */
  path: string;
  /** The full object key in the repository's bucket. */
  key: string;
  archive: ArchiveMode;
  optional: boolean;
}

export type InputSource =
  | { kind: "s3"; key: string; repository: S3Repository }
  /** A directory of objects, each fetched as a file under its name (the exit handler's
   * `from: "{{onexit.failedLogs}}"`: one `<pod>.log` per failed step with an archived log). */
  | { kind: "s3-files"; files: { name: string; key: string }[]; repository: S3Repository }
  | { kind: "http"; url: string }
  | { kind: "raw"; data: string };

export interface InputArtifact {
  name: string;
  path: string;
  source: InputSource;
  /** File mode (Argo's `mode`, decimal as in the YAML), applied after placing. */
  mode?: number;
  optional: boolean;
  /** Unpack a tar(+gzip) archive into `path` (Argo's default for archived artifacts). */
  unpack: boolean;
}

export interface ArtifactPlan {
  repository?: S3Repository;
  outputs: OutputArtifact[];
  inputs: InputArtifact[];
  /** `archiveLogs`: the key `main`'s whole log is uploaded to, as the `main-logs` artifact. */
  logsKey?: string;
}

/** Argo's default `keyFormat` when the repository sets none. */
export const DEFAULT_KEY_FORMAT = "{{workflow.name}}/{{pod.name}}";
/** The artifact Argo records `main`'s archived log as, and the file name of its key. */
export const MAIN_LOGS_ARTIFACT = "main-logs";
export const MAIN_LOG_FILE = "main.log";

/** The emptyDir the webhook adds for a pod with a plan: the copier, inputs and outputs. */
export const ARTIFACTS_VOLUME = "onexit-artifacts";
/** Where `onexit-init`, `main` (when it has outputs) and `wait` (read-only) see ARTIFACTS_VOLUME. */
export const ARTIFACTS_MOUNT_PATH = "/onexit/artifacts";
/** The copier (busybox) inside ARTIFACTS_VOLUME, copied there by `onexit-init`. */
export const COPIER_SUBPATH = "bin/busybox";
/** Where onexit's image keeps the static busybox the copier is (Dockerfile); then Debian's own
 * path, where the test cluster's process agent (host processes, no images) finds it. */
export const COPIER_SOURCES = ["/usr/local/bin/busybox", "/bin/busybox"] as const;
/** Input i is placed at `in/<i>` (file or directory) and mounted by subPath at its path in `main`. */
export function inputSubPath(index: number): string {
  return `in/${index}`;
}
/** Output i is archived by the copier to `out/<i>`; `out/<i>.err` says why it could not be. */
export function outputSubPath(index: number): string {
  return `out/${index}`;
}
/** The env var (downward API) holding the plan's JSON in `onexit-init` and `wait`. */
export const ARTIFACT_PLAN_ENV = "ONEXIT_ARTIFACT_PLAN";
/** `onexit-init`'s first argument when the pod has a plan (placeholder files follow, as for
 * `output-placeholders`). */
export const ARTIFACTS_INIT_COMMAND = "artifacts-init";

/** 32-bit FNV-1a (common/names.ts has the same for node IDs; repeated here so that this file
 * stays free of imports: the init container loads it). */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The env var a Secret key is read into (the webhook sets it, `onexit-init` and `wait` read it). */
export function credentialEnvName(ref: SecretKeyRef): string {
  return `ONEXIT_CRED_${fnv32a(`${ref.name}/${ref.key}`).toString(16)}`;
}

/** Every Secret key the plan's stores need, once each. */
export function planSecrets(plan: ArtifactPlan): SecretKeyRef[] {
  const repos = [
    plan.repository,
    ...plan.inputs.map((i) => (i.source.kind === "s3" ? i.source.repository : undefined)),
  ];
  const seen = new Map<string, SecretKeyRef>();
  for (const repo of repos) {
    if (repo === undefined) continue;
    for (const ref of [repo.accessKeySecret, repo.secretKeySecret]) seen.set(credentialEnvName(ref), ref);
  }
  return [...seen.values()];
}

/** True when the pod needs the copier: it has outputs to archive after `main`'s command. */
export function needsCopier(plan: ArtifactPlan): boolean {
  return plan.outputs.length > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): value is string {
  return typeof value === "string";
}

function isSecretRef(value: unknown): boolean {
  return isObject(value) && str(value["name"]) && str(value["key"]);
}

function isRepository(value: unknown): value is S3Repository {
  if (!isObject(value)) return false;
  const texts = ["endpoint", "bucket", "region", "keyPrefix"].every((k) => str(value[k]));
  return (
    texts &&
    typeof value["insecure"] === "boolean" &&
    isSecretRef(value["accessKeySecret"]) &&
    isSecretRef(value["secretKeySecret"])
  );
}

function isOutput(value: unknown): boolean {
  if (!isObject(value)) return false;
  const archive = value["archive"] === "tgz" || value["archive"] === "none";
  return (
    str(value["name"]) &&
    str(value["path"]) &&
    str(value["key"]) &&
    archive &&
    typeof value["optional"] === "boolean"
  );
}

/** A plain file name: no directory part, nothing a path could read two ways. */
function isFile(value: unknown): boolean {
  if (!isObject(value) || !str(value["name"]) || !str(value["key"])) return false;
  const name = value["name"];
  return name !== "" && name !== "." && name !== ".." && !name.includes("/");
}

function isSource(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value["kind"] === "s3") return str(value["key"]) && isRepository(value["repository"]);
  if (value["kind"] === "s3-files")
    return Array.isArray(value["files"]) && value["files"].every(isFile) && isRepository(value["repository"]);
  if (value["kind"] === "http") return str(value["url"]);
  return value["kind"] === "raw" && str(value["data"]);
}

function isInput(value: unknown): boolean {
  if (!isObject(value)) return false;
  const mode = value["mode"] === undefined || Number.isInteger(value["mode"]);
  const flags = typeof value["optional"] === "boolean" && typeof value["unpack"] === "boolean";
  return str(value["name"]) && str(value["path"]) && mode && flags && isSource(value["source"]);
}

function isPlan(value: unknown): boolean {
  if (!isObject(value)) return false;
  const outputs = value["outputs"];
  const inputs = value["inputs"];
  return (
    (value["repository"] === undefined || isRepository(value["repository"])) &&
    Array.isArray(outputs) &&
    outputs.every(isOutput) &&
    Array.isArray(inputs) &&
    inputs.every(isInput) &&
    (value["logsKey"] === undefined || str(value["logsKey"]))
  );
}

/**
 * The plan from its annotation text, checked by hand (no zod: the sidecar and `onexit-init` load
 * this): undefined when absent, an error when the text is not a plan (a coordinator bug; the pod
 * then fails saying so rather than skipping its artifacts).
 */
export function parseArtifactPlan(text: string | undefined): { plan?: ArtifactPlan; error?: string } {
  if (text === undefined || text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `artifact plan is not JSON: ${(err as Error).message}` };
  }
  const ok = isPlan(value);
  if (!ok) return { error: "artifact plan is malformed" };
  const plan = value as unknown as ArtifactPlan;
  if ((plan.outputs.length > 0 || plan.logsKey !== undefined) && plan.repository === undefined)
    return { error: "artifact plan has outputs but no repository" };
  return { plan };
}
