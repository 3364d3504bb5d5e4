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
