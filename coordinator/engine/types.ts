// The contract between the pure engine (reconcile) and the runtime that performs its actions.
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import type { ArtifactRepository, Workflow, WorkflowStatus, WorkflowTemplate } from "./workflow.ts";

export interface EngineConfig {
  /** Extra labels/annotations or defaults the engine stamps on every pod it builds. */
  defaultServiceAccountName: string;
  /** How long a step pod may be stuck (a missing Secret, an image that cannot be pulled) before its step ends in Error; default STUCK_GRACE_MS. */
  stuckPodGraceMs?: number;
  /** The chart's default artifact repository (`artifactRepository`); undefined when none is set. */
  defaultArtifactRepository?: ArtifactRepository;
  /** The coordinator's namespace: a `spec.artifactRepositoryRef` ConfigMap is looked for there too, as Argo's managed namespace. */
  controllerNamespace?: string;
  /** onexit's image: the artifact GC pods run it (`onexit artifact-gc`). */
  image?: string;
}

export interface ReconcileInput {
  workflow: Workflow;
  /** Every pod labelled workflows.argoproj.io/workflow=<name> in the workflow's namespace; reports ride on their annotations. */
  pods: V1Pod[];
  now: Date;
  config: EngineConfig;
  /**
   * Pods the API server refused to create for good (400, 422, 403), by pod name, with its
   * message. A node whose pod is missing and named here ends in Error
   * `pod could not be created: <message>` at once (no vanish grace, no second create). The
   * runtime keeps this in memory only; see coordinator/create-refusals.ts.
   */
  podCreateFailures?: Readonly<Record<string, string>>;
  /**
   * Pods not created for a reason that may pass, by pod name, with the reason: an exceeded quota
   * (403 "exceeded quota", as Argo waits), an unreachable admission webhook, an API server error
   * or timeout, or a ConfigMap the pod mounts that could not be made ours. Their node stays
   * Pending with that message and the pod is asked for again, less and less often; the status
   * keeps the message, so a restarted engine still knows to wait.
   */
  podsAwaitingCreate?: Readonly<Record<string, string>>;
  /**
   * Objects found under a name this workflow uses (a step's pod, the log tails ConfigMap) whose
   * controller is not this workflow (another uid, or none): never used. Pods come from the
   * informer, both kinds from AlreadyExists answers the runtime checked.
   */
  foreignObjects?: readonly ForeignObject[];
  /**
   * ConfigMaps the API server refused to create for good (400, 422, 403: a namespace being
   * deleted, a policy), by name, with its message: the exit handler runs without its log tails.
   */
  configMapCreateFailures?: Readonly<Record<string, string>>;
  /**
   * The WorkflowTemplates (of the workflow's namespace) and ClusterWorkflowTemplates the workflow
   * references, directly or through another template, as the runtime's caches hold them
   * (`referencedTemplates` finds them). One it references and that is not here does not exist:
   * the workflow ends in Error naming it. Once the status stores what a reference gave
   * (`storedTemplates`, `storedWorkflowTemplateSpec`), the stored copy is used instead.
   */
  workflowTemplates?: readonly WorkflowTemplate[];
  /**
   * The ConfigMaps named by `artifactRepositoryConfigMaps(workflow, controllerNamespace)` that
   * exist (the runtime reads them; only the workflow's and the coordinator's namespaces). Needed
   * until the status records the resolved repository (`status.artifactRepositoryRef`).
   */
  artifactRepositoryConfigMaps?: readonly V1ConfigMap[];
  /**
   * The status this workflow needs is longer than can be stored, even with its nodes compressed
   * (coordinator/node-status-packing.ts), with the reason (both sizes and the limit). A workflow
   * not yet finished ends in Error with this message, keeping the status last stored (it fit), so
   * nothing more runs: not even the exit handler, as in Argo.
   */
  statusTooLarge?: string;
}

export interface ForeignObject {
  kind: "Pod" | "ConfigMap";
  name: string;
  /** Who controls it instead, for the message (`Workflow wf, uid …`); undefined for nobody. */
  controller?: string;
}

export type Action =
  /**
   * AlreadyExists is success only when the existing pod's controller is this workflow, else it is
   * reported back in `foreignObjects`; a refusal through `podCreateFailures` or `podsAwaitingCreate`.
   * A pod mounting a ConfigMap of this pass that is not ours is not created (`podsAwaitingCreate`).
   */
  | { kind: "createPod"; pod: V1Pod; exitHandler: boolean }
  /** Stop a running step (shutdown, deadline, delete); the node's phase is already decided in the new status. */
  | { kind: "deletePod"; name: string; reason: string }
  /** Marks a pod whose result is recorded, as Argo does, so it is not looked at again. */
  | { kind: "labelPodCompleted"; name: string }
  /** Ours only when its controller is this workflow; else `foreignObjects`, a refusal `configMapCreateFailures`. */
  | { kind: "createConfigMap"; configMap: V1ConfigMap }
  /** `finalizer` absent: onexit's exit-handler finalizer (FINALIZER); else that one (ARTIFACT_GC_FINALIZER). */
  | { kind: "addFinalizer"; finalizer?: string }
  | { kind: "removeFinalizer"; finalizer?: string }
  | { kind: "event"; type: "Normal" | "Warning"; reason: string; message: string };

export interface ReconcileResult {
  /**
   * The whole new status; the runtime writes it with the workflow (a PUT of the whole object with
   * the observed resourceVersion: the CRD has no status subresource, as Argo's) when it differs.
   */
  status: WorkflowStatus;
  /** Labels the Workflow must carry (Argo's phase and completed), written with the status. */
  labels?: Readonly<Record<string, string>>;
  actions: Action[];
  /** Set only for timers the workflow itself asks for (activeDeadlineSeconds, retry backoff), a pod's vanish grace or a wait for a pod's create; never on the happy path. */
  requeueAfterMs?: number;
}
