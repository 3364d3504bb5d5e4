// The contract between the pure engine (reconcile) and the runtime that performs its actions.
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import type { Workflow, WorkflowStatus } from "../../common/types.ts";

export interface EngineConfig {
  /** Extra labels/annotations or defaults the engine stamps on every pod it builds. */
  defaultServiceAccountName: string;
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
   * runtime keeps this in memory only; see coordinator/pod-create-failures.ts.
   */
  podCreateFailures?: Readonly<Record<string, string>>;
  /**
   * Pods the API server refused for an exceeded quota (403 "exceeded quota"), by pod name, with
   * its message. Their node stays Pending with that message and the pod is asked for again (Argo
   * does the same); the status keeps the message, so a restarted engine still knows to wait.
   */
  podsAwaitingQuota?: Readonly<Record<string, string>>;
}

export type Action =
  /** AlreadyExists is success; a refusal is reported back through `podCreateFailures` or `podsAwaitingQuota`. */
  | { kind: "createPod"; pod: V1Pod; exitHandler: boolean }
  /** Stop a running step (shutdown, deadline, delete); the node's phase is already decided in the new status. */
  | { kind: "deletePod"; name: string; reason: string }
  /** Marks a pod whose result is recorded, as Argo does, so it is not looked at again. */
  | { kind: "labelPodCompleted"; name: string }
  | { kind: "createConfigMap"; configMap: V1ConfigMap }
  | { kind: "addFinalizer" }
  | { kind: "removeFinalizer" }
  | { kind: "event"; type: "Normal" | "Warning"; reason: string; message: string };

export interface ReconcileResult {
  /** The whole new status; the runtime writes it through the status subresource when it differs. */
  status: WorkflowStatus;
  actions: Action[];
  /** Set only for timers the workflow itself asks for (activeDeadlineSeconds, retry backoff), a pod's vanish grace or a quota wait; never on the happy path. */
  requeueAfterMs?: number;
}
