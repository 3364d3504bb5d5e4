// The Argo Workflow API subset onexit supports (argoproj.io/v1alpha1), shaped as Argo's
// own JSON so Argo YAML is accepted unchanged and `argo get` can read the status.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  enum?: string[];
  globalName?: string;
  valueFrom?: { path?: string; parameter?: string; default?: string };
}

/** Argo's Artifact, the parts onexit runs: S3 (the repository's, by key), `raw` and `http`. */
export interface Artifact {
  name: string;
  path?: string;
  /** `{{steps.X.outputs.artifacts.Y}}` / `{{tasks.X.outputs.artifacts.Y}}`. */
  from?: string;
  optional?: boolean;
  /** File mode as in the YAML (decimal, e.g. 493 for 0755). */
  mode?: number;
  /** Argo's ArchiveStrategy; absent means tar + gzip. */
  archive?: { none?: Record<string, never> | null; tar?: { compressionLevel?: number } | null } | null;
  s3?: { key?: string; [key: string]: unknown };
  raw?: { data: string };
  http?: { url: string };
  globalName?: string;
  [key: string]: unknown;
}

export interface Arguments {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface Inputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface Outputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
  result?: string;
  exitCode?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

/** A core/v1 Container, kept open: onexit passes through what it does not interpret. */
export interface Container {
  name?: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  workingDir?: string;
  resources?: unknown;
  volumeMounts?: unknown[];
  [key: string]: unknown;
}

export interface ScriptTemplate extends Container {
  source: string;
}

/** A template taken from a WorkflowTemplate, or with `clusterScope` a ClusterWorkflowTemplate. */
export interface TemplateRef {
  name: string;
  template: string;
  clusterScope?: boolean;
}

/** `spec.workflowTemplateRef`: the whole spec taken from a (Cluster)WorkflowTemplate. */
export interface WorkflowTemplateRef {
  name: string;
  clusterScope?: boolean;
}

export interface LifecycleHook {
  /** Set once references are resolved (refs/resolve.ts); absent when `templateRef` is written. */
  template: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  expression?: string;
}

export type Hooks = Record<string, LifecycleHook>;

export interface ContinueOn {
  failed?: boolean;
  error?: boolean;
}

/** `withSequence`: numbers from `start` (default 0) to `end` inclusive, or `count` of them; `format` is printf-like. */
export interface Sequence {
  count?: number | string;
  start?: number | string;
  end?: number | string;
  format?: string;
}

/** A step or task run once per item (Argo's loops); at most one of the three may be set. */
export interface Loop {
  /** Strings, numbers, booleans, lists or objects, as written. */
  withItems?: unknown[];
  /** A JSON list once substituted, e.g. `{{steps.gen.outputs.result}}`. */
  withParam?: string;
  withSequence?: Sequence;
}

export interface WorkflowStep extends Loop {
  name: string;
  /** Set once references are resolved (refs/resolve.ts); absent when `templateRef` is written. */
  template: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  when?: string;
  onExit?: string;
  hooks?: Hooks;
  continueOn?: ContinueOn;
}

export interface DagTask extends Loop {
  name: string;
  /** Set once references are resolved (refs/resolve.ts); absent when `templateRef` is written. */
  template: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  dependencies?: string[];
  depends?: string;
  when?: string;
  onExit?: string;
  hooks?: Hooks;
  continueOn?: ContinueOn;
}

/** Argo's Backoff: durations are a bare number of seconds or a Go duration ("1m30s"). */
export interface RetryBackoff {
  duration?: string | number;
  factor?: number | string;
  maxDuration?: string | number;
  /** The longest wait factor may grow to. */
  cap?: string | number;
}

export interface RetryStrategy {
  limit?: number | string;
  retryPolicy?: string;
  backoff?: RetryBackoff | null;
}

/** Argo's suspend template: waits until resumed (`argo resume`), or `duration` after it started. */
export interface SuspendTemplate {
  /** Seconds as a bare number, or a Go duration ("1m30s"); may use the template's variables. */
  duration?: string | number;
}

export interface Template {
  name: string;
  inputs?: Inputs;
  outputs?: Outputs;
  container?: Container;
  script?: ScriptTemplate;
  steps?: WorkflowStep[][];
  dag?: { tasks: DagTask[]; target?: string; failFast?: boolean };
  suspend?: SuspendTemplate | null;
  retryStrategy?: RetryStrategy;
  activeDeadlineSeconds?: number | string;
  /** Steps and DAG templates: at most this many children active at once (Argo's int64). */
  parallelism?: number;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  serviceAccountName?: string;
  volumes?: unknown[];
  [key: string]: unknown;
}

export type ShutdownStrategy = "Stop" | "Terminate";

export interface WorkflowSpec {
  entrypoint?: string;
  /** Always a list once references are resolved; may be absent with `workflowTemplateRef`. */
  templates: Template[];
  workflowTemplateRef?: WorkflowTemplateRef;
  arguments?: Arguments;
  onExit?: string;
  hooks?: Hooks;
  serviceAccountName?: string;
  activeDeadlineSeconds?: number;
  /** At most this many pods of the workflow Pending or Running at once (Argo's int64). */
  parallelism?: number;
  shutdown?: ShutdownStrategy;
  /** `argo suspend` sets it, `argo resume` removes it: while true no new step starts. */
  suspend?: boolean | null;
  volumes?: unknown[];
  podMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  artifactRepositoryRef?: ArtifactRepositoryRef;
  artifactGC?: WorkflowArtifactGC;
  [key: string]: unknown;
}

export type NodePhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";
export type WorkflowPhase = "" | "Pending" | "Running" | "Succeeded" | "Failed" | "Error";
export type NodeType = "Pod" | "Steps" | "StepGroup" | "DAG" | "TaskGroup" | "Retry" | "Skipped" | "Suspend";

export interface NodeStatus {
  id: string;
  name: string;
  displayName: string;
  type: NodeType;
  templateName: string;
  phase: NodePhase;
  boundaryID?: string;
  children?: string[];
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  inputs?: Inputs;
  outputs?: Outputs;
  hostNodeName?: string;
  podName?: string;
  /** A node of a referenced template: where it came from (Argo's field; `templateName` is its name there). */
  templateRef?: TemplateRef;
  /** onexit: bytes of main's log the sidecar captured. */
  logBytes?: number;
}

export interface WorkflowStatus {
  phase?: WorkflowPhase;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  progress?: string;
  nodes?: Record<string, NodeStatus>;
  /**
   * Argo's: `nodes` as gzipped JSON in base64, written instead of them when the Workflow is large.
   * The runtime expands it before the engine reads the status and makes it when it writes one
   * (coordinator/node-status-packing.ts): the engine never sees it.
   */
  compressedNodes?: string;
  outputs?: Outputs;
  /**
   * Argo's: the templates taken through `templateRef`, by `namespaced/<wt>/<template>` or
   * `cluster/<cwt>/<template>`, as they were when the workflow started; used from then on.
   */
  storedTemplates?: Record<string, Template>;
  /** Argo's: the spec merged from `workflowTemplateRef` when the workflow started; used from then on. */
  storedWorkflowTemplateSpec?: WorkflowSpec;
  /** Argo's: the artifact repository resolved when the workflow started; used from then on. */
  artifactRepositoryRef?: ArtifactRepositoryRefStatus;
  /** Argo's: whether the artifacts' garbage collection is done (artifacts/gc.ts). */
  artifactGCStatus?: ArtGCStatus;
  /** Argo's: the workflow's conditions (onexit writes `ArtifactGCError`). */
  conditions?: WorkflowCondition[];
}

export interface Workflow {
  apiVersion: string;
  kind: "Workflow";
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  status?: WorkflowStatus;
}

/** A WorkflowTemplate or ClusterWorkflowTemplate: a spec to reference, never run by itself. */
export interface WorkflowTemplate {
  apiVersion?: string;
  kind: "WorkflowTemplate" | "ClusterWorkflowTemplate";
  metadata: ObjectMeta;
  spec: Partial<WorkflowSpec>;
}

export const TERMINAL_NODE_PHASES: ReadonlySet<NodePhase> = new Set([
  "Succeeded",
  "Failed",
  "Error",
  "Skipped",
  "Omitted",
]);

export function isNodeDone(phase: NodePhase | undefined): boolean {
  return phase !== undefined && TERMINAL_NODE_PHASES.has(phase);
}

/** A phase that fails whatever contains it, unless continueOn allows it. */
export function isNodeFailed(phase: NodePhase | undefined): boolean {
  return phase === "Failed" || phase === "Error";
}

export function isWorkflowDone(phase: WorkflowPhase | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed" || phase === "Error";
}

/** Argo's S3 artifact repository (config.S3ArtifactRepository); only the S3 kind is supported. */
export interface S3ArtifactRepository {
  endpoint?: string;
  bucket?: string;
  region?: string;
  insecure?: boolean;
  /** Where a pod's artifacts go; Argo's variables (`{{workflow.name}}/{{pod.name}}` by default). */
  keyFormat?: string;
  /** Deprecated by Argo for keyFormat: `<keyPrefix>/{{workflow.name}}/{{pod.name}}`. */
  keyPrefix?: string;
  accessKeySecret?: SecretKeySelector;
  secretKeySecret?: SecretKeySelector;
  [key: string]: unknown;
}

export interface SecretKeySelector {
  name: string;
  key: string;
}

/** Argo's config.ArtifactRepository: a value of the `artifact-repositories` ConfigMap, or the chart's default. */
export interface ArtifactRepository {
  archiveLogs?: boolean;
  s3?: S3ArtifactRepository;
  [key: string]: unknown;
}

/** `spec.artifactRepositoryRef`. */
export interface ArtifactRepositoryRef {
  /** Default `artifact-repositories`. */
  configMap?: string;
  /** Default: the ConfigMap's `workflows.argoproj.io/default-artifact-repository` annotation. */
  key?: string;
}

/** Argo's ArtifactRepositoryRefStatus: where the repository came from, and the repository itself. */
export interface ArtifactRepositoryRefStatus extends ArtifactRepositoryRef {
  namespace?: string;
  /** The chart's default repository, not a ConfigMap. */
  default?: boolean;
  artifactRepository?: ArtifactRepository;
}

export type ArtifactGCStrategy = "" | "OnWorkflowCompletion" | "OnWorkflowDeletion" | "Never";

/** `spec.artifactGC` (Argo's WorkflowLevelArtifactGC; the pod fields are Argo's GC pod's). */
export interface WorkflowArtifactGC {
  strategy?: ArtifactGCStrategy;
  forceFinalizerRemoval?: boolean;
  [key: string]: unknown;
}

/** Argo's ArtGCStatus. */
export interface ArtGCStatus {
  /** Whether the workflow's artifacts were deleted (or their deletion given up on). */
  notSpecified?: boolean;
  strategiesProcessed?: Partial<Record<ArtifactGCStrategy, boolean>>;
  podsRecouped?: Record<string, boolean>;
}

export interface WorkflowCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  message?: string;
}
