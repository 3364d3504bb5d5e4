// Performs a ReconcileResult against the API server. The engine decides; this only executes, in
// an order chosen so that a crash or a conflict between any two steps leaves a state the next
// reconcile can finish from:
//
//   1. addFinalizer            before any pod exists, so a `kubectl delete` from now on waits for us.
//   2. createConfigMap         before the pods that mount it (the handler's log tails). AlreadyExists
//                              is ours only if its controller is this workflow (a GET tells);
//                              someone else's is recorded as foreign, a refusal for good as such, and
//                              a pod of this apply that mounts either is not created but recorded as
//                              waiting: the engine rebuilds it (another name, or no log tails).
//   3. createPod               before the status that names them: pod names are deterministic, so a
//                              status write lost to a conflict or crash just meets AlreadyExists next
//                              time, and the existing pod is ours only if its controller is this
//                              workflow (a GET tells; else it is recorded as foreign and never used).
//                              The reverse order could persist a node "Pending in pod X" whose
//                              pod never gets made, and a restarted engine would take it for lost.
//                              No failed create fails the reconcile: it is recorded (for good or
//                              as a wait, create-refusals.ts says which and what follows) and the
//                              status is still written.
//   4. status (if it differs)  PUT of the whole workflow (the CRD has no status subresource, as
//                              Argo's: `argo retry`/`argo resume` write the status with a plain
//                              update), with the engine's labels and the observed resourceVersion. A 409
//                              fails the item: the key is re-queued and recomputed from fresh state;
//                              a stale delta is never replayed (argo #16775, #16294). A large
//                              workflow is written with its nodes compressed, as Argo writes it
//                              (node-status-packing.ts); one too long even so is not written: that
//                              is recorded for the engine (it ends the workflow in Error), queued
//                              at once, and nothing below runs in this apply.
//   5. deletePod               after the status that records why the step stopped, so the decision
//                              ("Stopped", "deadline exceeded") is durable before the pod disappears.
//   6. labelPodCompleted       after the status that holds the pod's result, as Argo does: a completed
//                              label on a pod whose result was never persisted would hide it.
//   7. event                   after the status write, best effort (a failure is logged, not retried).
//   8. removeFinalizer         last, once everything above is durable; then the object may go.
import type { Logger } from "../common/log.ts";
import { FINALIZER, LABEL_COMPLETED } from "../common/names.ts";
import {
  isWorkflowDone,
  type Workflow,
  type WorkflowStatus,
  type Action,
  type ForeignObject,
  type ReconcileResult,
} from "./engine/index.ts";
import { objectKey, type WorkflowKey } from "../common/workflow-key.ts";
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import { buildEvent } from "./events.ts";
import { apiErrorMessage, isAlreadyExists, isNotFound, type KubeClient } from "./kube-client.ts";
import type { CoordinatorMetrics } from "./metrics.ts";
import { deepEqual } from "./deep-equal.ts";
import { foreignObject, isControlledBy } from "./ownership.ts";
import { isPermanentCreateError, type CreateRefusals } from "./create-refusals.ts";
import { failpoint, podCreatePoint } from "./failpoints.ts";
import {
  apiTooLargeMessage,
  isRequestTooLarge,
  jsonBytes,
  type NodeStatusPacking,
} from "./node-status-packing.ts";

export type ApplierClient = Pick<
  KubeClient,
  | "getPod"
  | "createPod"
  | "deletePod"
  | "patchPod"
  | "getConfigMap"
  | "createConfigMap"
  | "replaceConfigMap"
  | "patchWorkflow"
  | "replaceWorkflow"
  | "createEvent"
>;

export interface ApplierOptions {
  client: ApplierClient;
  now: () => number;
  logger: Logger;
  metrics: Pick<CoordinatorMetrics, "observeHandlerStart" | "workflowCompleted">;
  identity: string;
  /** Told about every pod this replica created (or found existing), so the controller can wait for its cache. */
  onPodCreated?: (workflowKey: WorkflowKey, podName: string) => void;
  /** Told about every workflow write of this replica: the version it wrote over (a cache still
   *  showing it is stale) and the version it made (its watch event needs no pass). */
  onWorkflowWritten?: (
    workflowKey: WorkflowKey,
    supersededVersion: string | undefined,
    writtenVersion: string | undefined,
  ) => void;
  /** Where failed creates and foreign objects are recorded; without it a failed create fails the apply. */
  createRefusals?: Pick<
    CreateRefusals,
    | "recordError"
    | "recordWait"
    | "recordForeign"
    | "recordConfigMapRefusal"
    | "clear"
    | "recordStatusTooLarge"
    | "factsOf"
  >;
  /** Compresses the nodes of a large workflow (ONEXIT_MAX_WORKFLOW_SIZE); without it, writes as is. */
  packing?: Pick<NodeStatusPacking, "maxBytes" | "pack" | "written">;
}

export interface ApplyContext {
  /** When the coordinator first learned of the change that led to this reconcile (epoch ms). */
  since: number;
}

type ActionOf<K extends Action["kind"]> = Extract<Action, { kind: K }>;

const ofKind = <K extends Action["kind"]>(actions: Action[], kind: K): ActionOf<K>[] =>
  actions.filter((a): a is ActionOf<K> => a.kind === kind);

/** The finalizers the actions add (or remove), each once: onexit's own when none is named. */
const finalizersOf = (actions: Action[], kind: "addFinalizer" | "removeFinalizer"): string[] => [
  ...new Set(ofKind(actions, kind).map((a) => a.finalizer ?? FINALIZER)),
];

export class Applier {
  private readonly options: ApplierOptions;

  constructor(options: ApplierOptions) {
    this.options = options;
  }

  async apply(workflow: Workflow, result: ReconcileResult, context: ApplyContext): Promise<void> {
    const { actions } = result;
    const ns = workflow.metadata.namespace ?? "";
    let current = workflow;
    for (const finalizer of finalizersOf(actions, "addFinalizer"))
      current = await this.setFinalizer(current, finalizer, true);
    const unusable = new Map<string, string>();
    await settleAll(
      ofKind(actions, "createConfigMap").map((a) => this.createConfigMap(current, a, unusable)),
    );
    await settleAll(
      ofKind(actions, "createPod").map((a) => this.createPod(current, a, { ...context, unusable })),
    );
    const written = await this.writeStatus(current, result.status, result.labels ?? {});
    if (written === undefined) return; // too long to store: the engine is told, nothing else is done
    current = written;
    await settleAll(ofKind(actions, "deletePod").map((a) => this.deletePod(ns, a)));
    await settleAll(ofKind(actions, "labelPodCompleted").map((a) => this.labelCompleted(ns, a.name)));
    await Promise.all(ofKind(actions, "event").map((a) => this.emitEvent(current, a)));
    for (const finalizer of finalizersOf(actions, "removeFinalizer"))
      current = await this.setFinalizer(current, finalizer, false);
  }

  /** Each write returns the new object; the version it replaced is stale from now on. */
  private wrote(before: Workflow, after: Workflow): Workflow {
    this.options.onWorkflowWritten?.(
      objectKey(before),
      before.metadata.resourceVersion,
      after.metadata.resourceVersion,
    );
    return after;
  }

  private async setFinalizer(workflow: Workflow, finalizer: string, present: boolean): Promise<Workflow> {
    const finalizers = workflow.metadata.finalizers ?? [];
    if (finalizers.includes(finalizer) === present) return workflow;
    const nextList = present ? [...finalizers, finalizer] : finalizers.filter((f) => f !== finalizer);
    // The resourceVersion in a merge patch is a precondition: a concurrent change to the list is a 409.
    const patch = { metadata: { resourceVersion: workflow.metadata.resourceVersion, finalizers: nextList } };
    try {
      const updated = await this.options.client.patchWorkflow(ns(workflow), name(workflow), patch);
      this.log(workflow).info(present ? "finalizer added" : "finalizer removed", { finalizer });
      // The patch changed no status (its resourceVersion is a precondition): keep the one read,
      // unpacked, rather than the server's copy, which may hold compressedNodes instead of nodes.
      return this.wrote(workflow, { ...updated, status: workflow.status });
    } catch (err) {
      if (!present && isNotFound(err)) return workflow;
      throw err;
    }
  }

  /** Creates the ConfigMap, or records in `unusable` (name → why) that pods must not mount it. */
  private async createConfigMap(
    workflow: Workflow,
    action: ActionOf<"createConfigMap">,
    unusable: Map<string, string>,
  ): Promise<void> {
    const name = action.configMap.metadata?.name ?? "";
    const where = `ConfigMap ${ns(workflow)}/${name}`;
    try {
      await this.options.client.createConfigMap(ns(workflow), action.configMap);
      return;
    } catch (err) {
      const store = this.options.createRefusals;
      if (store === undefined) throw err;
      if (!isAlreadyExists(err)) {
        const message = apiErrorMessage(err);
        if (isPermanentCreateError(err))
          store.recordConfigMapRefusal(objectKey(workflow), uid(workflow), name, message);
        this.log(workflow).warn("ConfigMap create failed", { configMap: name, error: message });
        unusable.set(name, `${where} could not be created: ${message}`);
        return;
      }
    }
    const existing = await this.options.client.getConfigMap(ns(workflow), name);
    if (existing === undefined) {
      unusable.set(name, `${where} was deleted while being created; asking again`);
      return;
    }
    if (isControlledBy(existing, workflow))
      return this.refreshConfigMap(workflow, existing, action.configMap);
    this.foundForeign(workflow, foreignObject("ConfigMap", existing));
    unusable.set(name, `${where} is not owned by this workflow`);
  }

  /**
   * Our ConfigMap holds the log tails of an earlier run of the exit handler (`argo retry` ran the
   * body again): it takes this run's. A conflict fails the apply; the next reconcile asks again.
   */
  private async refreshConfigMap(
    workflow: Workflow,
    existing: V1ConfigMap,
    wanted: V1ConfigMap,
  ): Promise<void> {
    if (deepEqual(existing.data ?? {}, wanted.data ?? {})) return;
    await this.options.client.replaceConfigMap(ns(workflow), { ...existing, data: wanted.data ?? {} });
    this.log(workflow).info("log tails ConfigMap refreshed", { configMap: existing.metadata?.name ?? "" });
  }

  /** Someone else's object under one of the workflow's names: recorded for the engine (which says why). */
  private foundForeign(workflow: Workflow, foreign: ForeignObject): void {
    this.options.createRefusals?.recordForeign(objectKey(workflow), uid(workflow), foreign);
    const fields = { kind: foreign.kind, name: foreign.name, controller: foreign.controller ?? "none" };
    this.log(workflow).warn("exists and is not owned by this workflow: not used", fields);
  }

  private async createPod(
    workflow: Workflow,
    action: ActionOf<"createPod">,
    context: ApplyContext & { unusable: ReadonlyMap<string, string> },
  ): Promise<void> {
    const podName = action.pod.metadata?.name ?? "";
    const log = this.log(workflow);
    const blocked = mountedConfigMaps(action.pod).flatMap((name) => context.unusable.get(name) ?? []);
    if (blocked[0] !== undefined && this.options.createRefusals !== undefined) {
      this.options.createRefusals.recordWait(objectKey(workflow), uid(workflow), podName, blocked[0]);
      log.info("pod create waits for its ConfigMap", { pod: podName, reason: blocked[0] });
      return;
    }
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
      if (!(await this.createFailed(workflow, podName, err))) return;
    }
    this.options.createRefusals?.clear(objectKey(workflow), podName);
    this.options.onPodCreated?.(objectKey(workflow), podName);
  }

  /** After a failed create: true only when the pod exists and is ours after all. */
  private async createFailed(workflow: Workflow, podName: string, err: unknown): Promise<boolean> {
    const log = this.log(workflow);
    const refusal = this.options.createRefusals?.recordError(
      objectKey(workflow),
      uid(workflow),
      podName,
      err,
    );
    if (refusal !== undefined) {
      const fields = { pod: podName, error: refusal.message };
      if (refusal.kind === "wait") log.info("pod create waits", fields);
      else log.warn("pod create refused", fields);
      return false;
    }
    if (!isAlreadyExists(err)) {
      log.warn("pod create failed", { pod: podName, error: apiErrorMessage(err) });
      throw err;
    }
    const existing = await this.options.client.getPod(ns(workflow), podName);
    if (existing === undefined) throw err; // deleted meanwhile: the next reconcile asks again
    if (isControlledBy(existing, workflow)) {
      log.debug("pod already exists", { pod: podName });
      return true;
    }
    this.foundForeign(workflow, foreignObject("Pod", existing));
    return false;
  }

  private async writeStatus(
    workflow: Workflow,
    status: WorkflowStatus,
    wantedLabels: Readonly<Record<string, string>>,
  ): Promise<Workflow | undefined> {
    const before = workflow.status ?? {};
    const labels = { ...workflow.metadata.labels, ...wantedLabels };
    if (deepEqual(before, status) && deepEqual(workflow.metadata.labels ?? {}, labels)) return workflow;
    const { managedFields: _dropped, ...metadata } = workflow.metadata as Workflow["metadata"] & {
      managedFields?: unknown;
    };
    let updated: Workflow | undefined;
    try {
      updated = await this.sendStatus(workflow, { ...workflow, metadata: { ...metadata, labels }, status });
    } catch (err) {
      if (isNotFound(err)) return workflow; // deleted meanwhile: nothing left to record
      throw err;
    }
    if (updated !== undefined) this.phaseWritten(workflow, before, status);
    return updated;
  }

  /**
   * The PUT, with the nodes compressed when the workflow is large; undefined when it is too long to
   * store. Once the engine has been told so, what it answers (the status last stored, in Error) is
   * sent whatever its size: the API server took that status before.
   */
  private async sendStatus(workflow: Workflow, wanted: Workflow): Promise<Workflow | undefined> {
    const { packing, createRefusals } = this.options;
    if (packing === undefined) return this.wrote(workflow, await this.options.client.replaceWorkflow(wanted));
    const told = createRefusals?.factsOf(objectKey(workflow), uid(workflow)).statusTooLarge !== undefined;
    const packed = await packing.pack(wanted, !told);
    if (!packed.ok) return this.tooLarge(workflow, packed.message);
    try {
      const updated = this.wrote(workflow, await this.options.client.replaceWorkflow(packed.workflow));
      packing.written(updated, wanted.status?.nodes);
      return updated;
    } catch (err) {
      if (told || !isRequestTooLarge(err)) throw err;
      return this.tooLarge(workflow, apiTooLargeMessage(err, jsonBytes(packed.workflow), packing.maxBytes));
    }
  }

  private tooLarge(workflow: Workflow, message: string): undefined {
    if (this.options.createRefusals === undefined) throw new Error(message);
    this.options.createRefusals.recordStatusTooLarge(objectKey(workflow), uid(workflow), message);
    this.log(workflow).warn("status too long to store: the workflow ends in Error", { error: message });
    return undefined;
  }

  private phaseWritten(workflow: Workflow, before: WorkflowStatus, status: WorkflowStatus): void {
    if (before.phase !== status.phase)
      this.log(workflow).info("workflow phase", { from: before.phase ?? "", to: status.phase ?? "" });
    if (!isWorkflowDone(before.phase) && isWorkflowDone(status.phase)) {
      const seconds = durationSeconds(status);
      this.options.metrics.workflowCompleted(status.phase ?? "", ns(workflow), seconds);
    }
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
      // The log keeps what the event would have said (a namespace being deleted takes no events).
      const { reason, message } = action;
      this.log(workflow).warn("event not recorded", { reason, message, error: apiErrorMessage(err) });
    }
  }

  private log(workflow: Workflow): Logger {
    return this.options.logger.child({ workflow: objectKey(workflow) });
  }
}

const ns = (workflow: Workflow): string => workflow.metadata.namespace ?? "";
const name = (workflow: Workflow): string => workflow.metadata.name ?? "";
const uid = (workflow: Workflow): string | undefined => workflow.metadata.uid;

function mountedConfigMaps(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((volume) => volume.configMap?.name ?? []);
}

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
