// Performs a ReconcileResult against the API server. The engine decides; this only executes, in
// an order chosen so that a crash or a conflict between any two steps leaves a state the next
// reconcile can finish from:
//
//   1. addFinalizer            before any pod exists, so a `kubectl delete` from now on waits for us.
//   2. createConfigMap         before the pods that mount it (the handler's log tails).
//   3. createPod               before the status that names them: pod names are deterministic, so a
//                              status write lost to a conflict or crash just meets AlreadyExists next
//                              time. The reverse order could persist a node "Pending in pod X" whose
//                              pod never gets made, and a restarted engine would take it for lost.
//                              A refusal for good (400/422/403) does not fail the reconcile: it is
//                              recorded in podCreateFailures and the status is still written; the
//                              next reconcile (queued at once by the controller) turns it into an
//                              Error node, so the workflow ends and its exit handler runs. An
//                              exceeded quota is recorded the same way; the engine keeps that node
//                              Pending and asks again later.
//   4. status (if it differs)  PUT on the status subresource with the observed resourceVersion. A 409
//                              fails the item: the key is re-queued and recomputed from fresh state;
//                              a stale delta is never replayed (argo #16775, #16294).
//   5. deletePod               after the status that records why the step stopped, so the decision
//                              ("Stopped", "deadline exceeded") is durable before the pod disappears.
//   6. labelPodCompleted       after the status that holds the pod's result, as Argo does: a completed
//                              label on a pod whose result was never persisted would hide it.
//   7. event                   after the status write, best effort (a failure is logged, not retried).
//   8. removeFinalizer         last, once everything above is durable; then the object may go.
import type { Logger } from "../common/log.ts";
import { FINALIZER, LABEL_COMPLETED } from "../common/names.ts";
import { isWorkflowDone, type Workflow, type WorkflowStatus } from "../common/types.ts";
import type { Action, ReconcileResult } from "./engine/types.ts";
import { buildEvent } from "./events.ts";
import { apiErrorMessage, isAlreadyExists, isNotFound, type KubeClient } from "./kube-client.ts";
import type { CoordinatorMetrics } from "./metrics.ts";
import { deepEqual } from "./deep-equal.ts";
import { failpoint, podCreatePoint } from "./failpoints.ts";
import type { PodCreateFailures } from "./pod-create-failures.ts";

export type ApplierClient = Pick<
  KubeClient,
  | "createPod"
  | "deletePod"
  | "patchPod"
  | "createConfigMap"
  | "patchWorkflow"
  | "replaceWorkflowStatus"
  | "createEvent"
>;

export interface ApplierOptions {
  client: ApplierClient;
  now: () => number;
  logger: Logger;
  metrics: Pick<CoordinatorMetrics, "observeHandlerStart" | "workflowCompleted">;
  identity: string;
  /** Told about every pod this replica created (or found existing), so the controller can wait for its cache. */
  onPodCreated?: (workflowKey: string, podName: string) => void;
  /** Told about every workflow version this replica wrote over: a cache still showing it is stale. */
  onWorkflowWritten?: (workflowKey: string, supersededVersion: string | undefined) => void;
  /** Where refused pod creates (for good, or over quota) are recorded; without it a refusal fails the apply. */
  podCreateFailures?: Pick<PodCreateFailures, "recordError" | "clear">;
}

export interface ApplyContext {
  /** When the coordinator first learned of the change that led to this reconcile (epoch ms). */
  since: number;
}

type ActionOf<K extends Action["kind"]> = Extract<Action, { kind: K }>;

const ofKind = <K extends Action["kind"]>(actions: Action[], kind: K): ActionOf<K>[] =>
  actions.filter((a): a is ActionOf<K> => a.kind === kind);

export class Applier {
  private readonly options: ApplierOptions;

  constructor(options: ApplierOptions) {
    this.options = options;
  }

  async apply(workflow: Workflow, result: ReconcileResult, context: ApplyContext): Promise<void> {
    const { actions } = result;
    const ns = workflow.metadata.namespace ?? "";
    let current = workflow;
    if (actions.some((a) => a.kind === "addFinalizer")) current = await this.setFinalizer(current, true);
    await settleAll(ofKind(actions, "createConfigMap").map((a) => this.createConfigMap(ns, a)));
    await settleAll(ofKind(actions, "createPod").map((a) => this.createPod(current, a, context)));
    current = await this.writeStatus(current, result.status);
    await settleAll(ofKind(actions, "deletePod").map((a) => this.deletePod(ns, a)));
    await settleAll(ofKind(actions, "labelPodCompleted").map((a) => this.labelCompleted(ns, a.name)));
    await Promise.all(ofKind(actions, "event").map((a) => this.emitEvent(current, a)));
    if (actions.some((a) => a.kind === "removeFinalizer")) await this.setFinalizer(current, false);
  }

  /** Each write returns the new object; the version it replaced is stale from now on. */
  private wrote(before: Workflow, after: Workflow): Workflow {
    this.options.onWorkflowWritten?.(`${ns(before)}/${name(before)}`, before.metadata.resourceVersion);
    return after;
  }

  private async setFinalizer(workflow: Workflow, present: boolean): Promise<Workflow> {
    const finalizers = workflow.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER) === present) return workflow;
    const nextList = present ? [...finalizers, FINALIZER] : finalizers.filter((f) => f !== FINALIZER);
    // The resourceVersion in a merge patch is a precondition: a concurrent change to the list is a 409.
    const patch = { metadata: { resourceVersion: workflow.metadata.resourceVersion, finalizers: nextList } };
    try {
      const updated = await this.options.client.patchWorkflow(ns(workflow), name(workflow), patch);
      this.log(workflow).info(present ? "finalizer added" : "finalizer removed");
      return this.wrote(workflow, updated);
    } catch (err) {
      if (!present && isNotFound(err)) return workflow;
      throw err;
    }
  }

  private async createConfigMap(namespace: string, action: ActionOf<"createConfigMap">): Promise<void> {
    try {
      await this.options.client.createConfigMap(namespace, action.configMap);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  private async createPod(
    workflow: Workflow,
    action: ActionOf<"createPod">,
    context: ApplyContext,
  ): Promise<void> {
    const podName = action.pod.metadata?.name ?? "";
    const key = `${ns(workflow)}/${name(workflow)}`;
    const log = this.log(workflow);
    try {
      failpoint(podCreatePoint("before", action.exitHandler));
      await this.options.client.createPod(ns(workflow), action.pod);
      failpoint(podCreatePoint("after", action.exitHandler));
      if (action.exitHandler) {
        const latencyMs = Math.max(0, this.options.now() - context.since);
        this.options.metrics.observeHandlerStart(latencyMs, ns(workflow));
        log.info("exit handler pod created", { pod: podName, latencyMs });
      } else {
        log.info("pod created", { pod: podName });
      }
    } catch (err) {
      const refusal = this.options.podCreateFailures?.recordError(key, workflow.metadata.uid, podName, err);
      if (refusal !== undefined) {
        const fields = { pod: podName, error: refusal.message };
        if (refusal.kind === "quota") log.info("pod create waits for quota", fields);
        else log.warn("pod create refused", fields);
        return;
      }
      if (!isAlreadyExists(err)) {
        log.warn("pod create failed", { pod: podName, error: apiErrorMessage(err) });
        throw err;
      }
      log.debug("pod already exists", { pod: podName });
    }
    this.options.podCreateFailures?.clear(key, podName);
    this.options.onPodCreated?.(key, podName);
  }

  private async writeStatus(workflow: Workflow, status: WorkflowStatus): Promise<Workflow> {
    const before = workflow.status ?? {};
    if (deepEqual(before, status)) return workflow;
    const { managedFields: _dropped, ...metadata } = workflow.metadata as Workflow["metadata"] & {
      managedFields?: unknown;
    };
    let updated: Workflow;
    try {
      updated = this.wrote(
        workflow,
        await this.options.client.replaceWorkflowStatus({ ...workflow, metadata, status }),
      );
    } catch (err) {
      if (isNotFound(err)) return workflow; // deleted meanwhile: nothing left to record
      throw err;
    }
    const log = this.log(workflow);
    if (before.phase !== status.phase)
      log.info("workflow phase", { from: before.phase ?? "", to: status.phase ?? "" });
    if (!isWorkflowDone(before.phase) && isWorkflowDone(status.phase)) {
      const seconds = durationSeconds(status);
      this.options.metrics.workflowCompleted(status.phase ?? "", ns(workflow), seconds);
    }
    return updated;
  }

  private async deletePod(namespace: string, action: ActionOf<"deletePod">): Promise<void> {
    try {
      await this.options.client.deletePod(namespace, action.name);
      this.options.logger.info("pod deleted", { namespace, pod: action.name, reason: action.reason });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async labelCompleted(namespace: string, podName: string): Promise<void> {
    try {
      await this.options.client.patchPod(namespace, podName, {
        metadata: { labels: { [LABEL_COMPLETED]: "true" } },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async emitEvent(workflow: Workflow, action: ActionOf<"event">): Promise<void> {
    const event = buildEvent(workflow, action, this.options.identity, new Date(this.options.now()));
    try {
      await this.options.client.createEvent(ns(workflow), event);
    } catch (err) {
      this.log(workflow).warn("event not recorded", { reason: action.reason, error: apiErrorMessage(err) });
    }
  }

  private log(workflow: Workflow): Logger {
    return this.options.logger.child({ workflow: `${ns(workflow)}/${name(workflow)}` });
  }
}

const ns = (workflow: Workflow): string => workflow.metadata.namespace ?? "";
const name = (workflow: Workflow): string => workflow.metadata.name ?? "";

function durationSeconds(status: WorkflowStatus): number | undefined {
  if (status.startedAt === undefined || status.finishedAt === undefined) return undefined;
  return (Date.parse(status.finishedAt) - Date.parse(status.startedAt)) / 1000;
}

/** Runs every step, then fails with the first error: one bad pod does not stop its siblings. */
async function settleAll(steps: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
