// Argo's Workflow spec, field by field (argoproj.io/v1alpha1, Argo v4.1 workflow_types.go), each
// marked supported, refused or ignored on purpose. The one source of what onexit runs: the engine
// refuses a workflow using a refused or unknown field (fields-check.ts), the chart's
// ValidatingAdmissionPolicy refuses it at create time (fields-policy.ts generates its CEL) and
// docs/FIELDS.md lists it (fields-doc.ts); fields-generated.test.ts keeps the last two in step.

export const NOT_SUPPORTED = "not supported by onexit";
export const UNKNOWN_FIELD = "unknown field (Argo's Workflow has no such field)";

/** What onexit does with a field. */
export type Support =
  | { support: "supported"; note?: string }
  | { support: "refused"; reason: string }
  | { support: "ignored"; reason: string };

/** The objects below a field that the check walks into, by the kind's name in KINDS. */
export type Nesting =
  | { kind: KindName; as: "object" | "list" | "listOfLists" }
  /** A map whose values are `kind`; keys other than `keys` are refused with `reason`. */
  | { kind: KindName; as: "map"; keys: readonly string[]; reason: string };

export type Field = Support & { nested?: Nesting };

export type KindName =
  | "Workflow"
  | "WorkflowSpec"
  | "Template"
  | "WorkflowStep"
  | "DAGTask"
  | "DAGTemplate"
  | "Container"
  | "ScriptTemplate"
  | "Inputs"
  | "Outputs"
  | "Arguments"
  | "Parameter"
  | "ValueFrom"
  | "RetryStrategy"
  | "Backoff"
  | "LifecycleHook"
  | "ContinueOn"
  | "Sequence"
  | "Metadata"
  | "TemplateRef"
  | "WorkflowTemplateRef"
  | "SuspendTemplate"
  | "Artifact"
  | "S3Artifact"
  | "HTTPArtifact"
  | "RawArtifact"
  | "ArchiveStrategy"
  | "ArtifactLocation"
  | "ArtifactRepositoryRef"
  | "WorkflowArtifactGC"
  | "ArtifactGC";

export type Kind = Readonly<Record<string, Field>>;

const supported = (note?: string, nested?: Nesting): Field =>
  note === undefined ? { support: "supported", nested } : { support: "supported", note, nested };
const refused = (reason: string = NOT_SUPPORTED): Field => ({ support: "refused", reason });
const ignored = (reason: string): Field => ({ support: "ignored", reason });
const object = (kind: KindName, note?: string): Field => supported(note, { kind, as: "object" });
const list = (kind: KindName, note?: string): Field => supported(note, { kind, as: "list" });

const POD_FIELD = "copied to the step's pod";
const ARTIFACT_SOURCE =
  "not supported by onexit: artifacts are S3 (the artifact repository), `http` or `raw`";
const ARCHIVE_LOCATION = "not supported by onexit: logs and outputs go to the workflow's artifact repository";
const S3_LOCATION =
  "not supported by onexit: an artifact names only its `key`; bucket, endpoint and credentials come from the artifact repository";
const HOOKS: Field = supported("only the `exit` hook", {
  kind: "LifecycleHook",
  as: "map",
  keys: ["exit"],
  reason: "lifecycle hooks other than exit are not supported by onexit",
});
const LOOP = {
  withItems: supported(),
  withParam: supported("substituted, then parsed as a JSON list"),
  withSequence: object("Sequence"),
} as const;

/** Fields of a core/v1 Container: all of them go to the pod's `main` container as written. */
const CONTAINER: Kind = {
  name: supported("replaced by `main`"),
  image: supported(),
  command: supported(),
  args: supported(),
  workingDir: supported(),
  ports: supported(),
  envFrom: supported(),
  env: supported(),
  resources: supported(),
  resizePolicy: supported(),
  restartPolicy: supported(),
  restartPolicyRules: supported(),
  volumeMounts: supported(),
  volumeDevices: supported(),
  livenessProbe: supported(),
  readinessProbe: supported(),
  startupProbe: supported(),
  lifecycle: supported(),
  terminationMessagePath: supported(),
  terminationMessagePolicy: supported(),
  imagePullPolicy: supported(),
  securityContext: supported(),
  stdin: supported(),
  stdinOnce: supported(),
  tty: supported(),
};

const PARAMETER: Kind = {
  name: supported(),
  value: supported(),
  default: supported(),
  enum: supported(),
  description: supported("documentation only"),
  globalName: supported(),
  valueFrom: object("ValueFrom"),
};

const STEP: Kind = {
  name: supported(),
  template: supported(),
  templateRef: object("TemplateRef"),
  inline: refused(),
  arguments: object("Arguments"),
  when: supported("substituted, then evaluated as Argo's govaluate does"),
  continueOn: object("ContinueOn"),
  onExit: supported("deprecated by Argo for `hooks.exit`"),
  hooks: HOOKS,
  ...LOOP,
};

export const KINDS: Readonly<Record<KindName, Kind>> = {
  Workflow: {
    apiVersion: supported(),
    kind: supported(),
    metadata: supported(),
    spec: object("WorkflowSpec"),
    status: supported("written by onexit"),
  },
  WorkflowSpec: {
    templates: list("Template"),
    entrypoint: supported(),
    arguments: object("Arguments"),
    serviceAccountName: supported(),
    automountServiceAccountToken: supported(POD_FIELD),
    executor: refused(),
    volumes: supported(),
    volumeClaimTemplates: refused(),
    parallelism: supported("active pods of the workflow"),
    artifactRepositoryRef: object(
      "ArtifactRepositoryRef",
      "S3 repositories; resolved when the workflow starts and kept in its status",
    ),
    suspend: supported(),
    nodeSelector: supported(POD_FIELD),
    affinity: supported(POD_FIELD),
    tolerations: supported(POD_FIELD),
    imagePullSecrets: supported(POD_FIELD),
    hostNetwork: supported(POD_FIELD),
    dnsPolicy: supported(POD_FIELD),
    dnsConfig: supported(POD_FIELD),
    onExit: supported("always runs, also on stop and deletion"),
    ttlStrategy: ignored("onexit does not delete finished workflows: delete them yourself"),
    activeDeadlineSeconds: supported(),
    priority: refused("not supported by onexit (deprecated by Argo): use podPriorityClassName"),
    schedulerName: supported(POD_FIELD),
    podGC: ignored(
      "a finished workflow's pods are kept until the workflow is deleted (they are its children)",
    ),
    podPriorityClassName: supported(POD_FIELD),
    hostAliases: supported(POD_FIELD),
    securityContext: supported(POD_FIELD),
    podSpecPatch: refused(),
    podDisruptionBudget: refused(),
    metrics: refused(),
    shutdown: supported("Stop runs the exit handler, Terminate does not"),
    workflowTemplateRef: object("WorkflowTemplateRef"),
    synchronization: refused(),
    volumeClaimGC: ignored("onexit creates no volume claims (volumeClaimTemplates is refused)"),
    retryStrategy: refused(),
    podMetadata: object("Metadata", POD_FIELD),
    templateDefaults: refused(),
    archiveLogs: supported("the sidecar uploads `main`'s whole log as the `main-logs` artifact"),
    hooks: HOOKS,
    workflowMetadata: refused(),
    artifactGC: object("WorkflowArtifactGC", "deleted by a GC pod in the workflow's namespace"),
    executorPlugins: refused(),
    podResources: refused(),
    resourceClaims: refused(),
  },
  Template: {
    name: supported(),
    inputs: object("Inputs"),
    outputs: object("Outputs"),
    nodeSelector: supported(POD_FIELD),
    affinity: supported(POD_FIELD),
    metadata: object("Metadata", POD_FIELD),
    daemon: refused(),
    steps: supported(undefined, { kind: "WorkflowStep", as: "listOfLists" }),
    container: object("Container"),
    containerSet: refused(),
    script: object("ScriptTemplate"),
    resource: refused(),
    dag: object("DAGTemplate"),
    suspend: object("SuspendTemplate"),
    data: refused(),
    http: refused(),
    plugin: refused(),
    volumes: supported(),
    initContainers: refused(),
    sidecars: refused(),
    archiveLocation: object("ArtifactLocation"),
    activeDeadlineSeconds: supported("the pod's deadline; substituted first"),
    retryStrategy: object("RetryStrategy"),
    parallelism: supported("active children of a steps or DAG template"),
    failFast: refused(),
    tolerations: supported(POD_FIELD),
    schedulerName: supported(POD_FIELD),
    priorityClassName: supported(POD_FIELD),
    serviceAccountName: supported(),
    automountServiceAccountToken: supported(POD_FIELD),
    executor: refused(),
    hostAliases: supported(POD_FIELD),
    securityContext: supported(POD_FIELD),
    podSpecPatch: refused(),
    metrics: refused(),
    synchronization: refused(),
    memoize: refused(),
    timeout: refused(),
    annotations: refused(),
    pendingTimeout: refused(),
    podResources: refused(),
    resourceClaims: refused(),
  },
  WorkflowStep: STEP,
  DAGTask: {
    ...STEP,
    dependencies: supported(),
    depends: supported("substituted, then parsed"),
  },
  DAGTemplate: {
    target: supported("substituted, then split on spaces"),
    tasks: list("DAGTask"),
    failFast: supported(),
  },
  Container: CONTAINER,
  ScriptTemplate: { ...CONTAINER, source: supported("run as an executable file (mode 0755)") },
  Inputs: { parameters: list("Parameter"), artifacts: list("Artifact") },
  Outputs: {
    parameters: list("Parameter"),
    artifacts: list("Artifact", "pod templates only; uploaded by the sidecar after `main` ends"),
    result: supported("set by onexit"),
    exitCode: supported("set by onexit"),
  },
  Arguments: { parameters: list("Parameter"), artifacts: list("Artifact") },
  Artifact: {
    name: supported(),
    path: supported("a file or a directory"),
    mode: supported("applied to input artifacts after placing (recursively)"),
    from: supported(
      "`{{steps.X.outputs.artifacts.Y}}`, `{{tasks.X.outputs.artifacts.Y}}`, `{{onexit.failedLogs}}`",
    ),
    optional: supported(),
    archive: object("ArchiveStrategy"),
    s3: object("S3Artifact"),
    http: object("HTTPArtifact"),
    raw: object("RawArtifact"),
    archiveLogs: refused(
      "not supported by onexit on an artifact: use `archiveLogs` on the workflow or `archiveLocation.archiveLogs` on the template",
    ),
    globalName: refused(),
    subPath: refused(),
    recurseMode: refused(),
    fromExpression: refused(),
    artifactGC: object("ArtifactGC", "wins over the workflow's `artifactGC`"),
    deleted: refused(),
    git: refused(ARTIFACT_SOURCE),
    artifactory: refused(ARTIFACT_SOURCE),
    hdfs: refused(ARTIFACT_SOURCE),
    oss: refused(ARTIFACT_SOURCE),
    gcs: refused(ARTIFACT_SOURCE),
    azure: refused(ARTIFACT_SOURCE),
    plugin: refused(ARTIFACT_SOURCE),
  },
  S3Artifact: {
    key: supported("in the workflow's artifact repository"),
    bucket: refused(S3_LOCATION),
    endpoint: refused(S3_LOCATION),
    region: refused(S3_LOCATION),
    insecure: refused(S3_LOCATION),
    accessKeySecret: refused(S3_LOCATION),
    secretKeySecret: refused(S3_LOCATION),
    sessionTokenSecret: refused(S3_LOCATION),
    roleARN: refused(S3_LOCATION),
    useSDKCreds: refused(S3_LOCATION),
    createBucketIfNotPresent: refused(S3_LOCATION),
    encryptionOptions: refused(S3_LOCATION),
    caSecret: refused(S3_LOCATION),
  },
  HTTPArtifact: { url: supported(), headers: refused(), auth: refused() },
  RawArtifact: { data: supported() },
  ArchiveStrategy: {
    tar: supported("tar + gzip, Argo's default; compressionLevel is ignored"),
    none: supported("a single file, uploaded as it is"),
    zip: refused(),
  },
  ArtifactLocation: {
    archiveLogs: supported("this template's `main` log is (or is not) archived"),
    s3: refused(S3_LOCATION),
    git: refused(ARCHIVE_LOCATION),
    http: refused(ARCHIVE_LOCATION),
    artifactory: refused(ARCHIVE_LOCATION),
    hdfs: refused(ARCHIVE_LOCATION),
    raw: refused(ARCHIVE_LOCATION),
    oss: refused(ARCHIVE_LOCATION),
    gcs: refused(ARCHIVE_LOCATION),
    azure: refused(ARCHIVE_LOCATION),
    plugin: refused(ARCHIVE_LOCATION),
  },
  Parameter: PARAMETER,
  ValueFrom: {
    path: supported(),
    parameter: supported(),
    default: supported(),
    jsonPath: refused("not supported by onexit (resource templates)"),
    jqFilter: refused("not supported by onexit (resource templates)"),
    event: refused(),
    supplied: refused(),
    configMapKeyRef: refused(),
    expression: refused(),
  },
  RetryStrategy: {
    limit: supported(),
    retryPolicy: supported(),
    backoff: object("Backoff"),
    affinity: refused(),
    expression: refused(),
  },
  Backoff: { duration: supported(), factor: supported(), maxDuration: supported(), cap: supported() },
  LifecycleHook: {
    template: supported(),
    arguments: object("Arguments"),
    templateRef: object("TemplateRef"),
    expression: refused(),
  },
  ContinueOn: { error: supported(), failed: supported() },
  Sequence: { count: supported(), start: supported(), end: supported(), format: supported() },
  Metadata: { annotations: supported(), labels: supported() },
  TemplateRef: { name: supported(), template: supported(), clusterScope: supported() },
  WorkflowTemplateRef: { name: supported(), clusterScope: supported() },
  SuspendTemplate: { duration: supported() },
  WorkflowArtifactGC: {
    strategy: supported("OnWorkflowCompletion, OnWorkflowDeletion or Never (the default)"),
    serviceAccountName: supported("the GC pod's (it needs no API access)"),
    forceFinalizerRemoval: supported("always on: a deletion never waits on the store"),
    podMetadata: refused(),
    podSpecPatch: refused(),
  },
  ArtifactGC: {
    strategy: supported("OnWorkflowCompletion, OnWorkflowDeletion or Never"),
    serviceAccountName: refused("not supported by onexit: set it on the workflow's `artifactGC`"),
    podMetadata: refused(),
  },
  ArtifactRepositoryRef: {
    configMap: supported("in the workflow's namespace, else the coordinator's"),
    key: supported(),
  },
};

/** The kind of the whole resource, where the check starts. */
export const ROOT_KIND: KindName = "Workflow";
