// The controller loop for one leadership term: it alone owns the work queue, the workers and the
// mapping of outcomes to the queue (controller-runtime's reconcileHandler):
//   error          → rate-limited re-add (per-key exponential back-off), keeping the first-dirty time;
//   requeueAfterMs → forget + delayed add (the engine's timers: a deadline, a retry back-off, a
//                    vanished pod's grace, a pod create waiting to be asked again);
//   success        → forget.
// What a create ran into (create-refusals.ts) is handed to the next reconcile, queued at once, so
// the node ends in Error or records its wait without waiting for any event or back-off.
// Workers start once both caches have synced. Nothing is requeued on a timer on the happy path:
// every reconcile is triggered by a workflow or pod event (or the informers' periodic relist);
// a pod change that ends nothing is coalesced for `coalesceMs` (pod-change.ts).
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../common/log.ts";
import {
  isWorkflowDone,
  type Workflow,
  type EngineConfig,
  type ForeignObject,
  type ReconcileInput,
  type ReconcileResult,
  type WorkflowTemplate,
} from "./engine/index.ts";
import { objectKey, parseWorkflowKey, type WorkflowKey } from "../common/workflow-key.ts";
import type { ApplyContext } from "./applier.ts";
import type { CacheExpectations } from "./expectations.ts";
import { apiErrorMessage, isConflict } from "./kube-client.ts";
import type { CoordinatorMetrics, ReconcileResultLabel } from "./metrics.ts";
import { partitionPods } from "./ownership.ts";
import { CreateRefusals } from "./create-refusals.ts";
import { WorkQueue, type Timers, type WorkItem } from "./workqueue.ts";

export interface WorkflowCache {
  hasSynced(): boolean;
  getWorkflow(namespace: string, name: string): Workflow | undefined;
  listWorkflows(): Workflow[];
  /** Pods labelled with the workflow's name in its namespace. */
  podsOf(namespace: string, name: string): V1Pod[];
}

export interface ControllerOptions {
  cache: WorkflowCache;
  reconcile: (input: ReconcileInput) => ReconcileResult;
  engineConfig: EngineConfig;
  applier: {
    apply(workflow: Workflow, result: ReconcileResult, context: ApplyContext): Promise<void>;
  };
  expectations: CacheExpectations;
  workers: number;
  timers: Timers;
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  metrics: Pick<CoordinatorMetrics, "observeReconcile">;
  /** How long a change that cannot move a workflow on may wait to be coalesced with others (0: none). */
  coalesceMs?: number;
  /** Forgets what it knows of a deleted workflow's own writes (own-writes.ts). */
  ownWrites?: { forget(key: WorkflowKey): void };
  /** How soon to look again at a key whose cache lags our own writes (its watch event usually comes first). */
  staleRetryMs?: number;
  /** What the applier's creates ran into; dropped when the workflow is deleted or finished. */
  createRefusals?: Pick<CreateRefusals, "factsOf" | "count" | "forget">;
  /** The (Cluster)WorkflowTemplates a workflow references (workflow-templates.ts); none when absent. */
  workflowTemplates?: (workflow: Workflow) => Promise<WorkflowTemplate[]>;
  /** The ConfigMaps its artifact repository may come from (artifact-repositories.ts); none when absent. */
  artifactRepositoryConfigMaps?: (workflow: Workflow) => Promise<V1ConfigMap[]>;
  /** The workflow with `status.compressedNodes` expanded (node-status-packing.ts); as cached when absent. */
  unpackStatus?: (workflow: Workflow) => Promise<Workflow>;
}

export class Controller {
  readonly queue: WorkQueue<WorkflowKey>;
  private readonly options: ControllerOptions;
  private readonly refusals: Pick<CreateRefusals, "factsOf" | "count" | "forget">;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.refusals = options.createRefusals ?? new CreateRefusals();
    this.queue = new WorkQueue<WorkflowKey>(options.timers);
  }

  enqueue(key: WorkflowKey): void {
    this.queue.add(key);
  }

  /** A change that may wait to be taken with others of the same workflow (pod-change.ts). */
  enqueueCoalesced(key: WorkflowKey): void {
    this.queue.addCoalesced(key, this.options.coalesceMs ?? 0);
  }

  /** Waits for the caches, queues every known workflow, runs the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { cache, logger } = this.options;
    while (!cache.hasSynced() && !signal.aborted) {
      await this.options.delay(100, signal).catch(() => undefined);
    }
    if (signal.aborted) return;
    for (const workflow of cache.listWorkflows()) this.enqueue(objectKey(workflow));
    logger.info("controller started", { workers: this.options.workers, workflows: this.queue.len() });
    const workers = Array.from({ length: this.options.workers }, () => this.worker());
    const stop = (): void => this.queue.shutDown();
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
    await Promise.all(workers);
    logger.info("controller stopped");
  }

  /** Takes one item and processes it; false once the queue is shut down. */
  async processNext(): Promise<boolean> {
    const item = await this.queue.get();
    if (item === undefined) return false;
    const started = this.options.timers.now();
    let label: ReconcileResultLabel = "error";
    try {
      label = await this.process(item);
    } finally {
      this.options.metrics.observeReconcile((this.options.timers.now() - started) / 1000, label);
      this.queue.done(item.key);
    }
    return true;
  }

  private async worker(): Promise<void> {
    while (await this.processNext()) {
      // next item
    }
  }

  private async process(item: WorkItem<WorkflowKey>): Promise<ReconcileResultLabel> {
    const { cache, expectations } = this.options;
    const { key, since } = item;
    const { namespace, name } = parseWorkflowKey(key);
    const workflow = cache.getWorkflow(namespace, name);
    if (workflow === undefined) {
      // Deleted: with the finalizer gone there is nothing left to do; owned pods are garbage-collected.
      expectations.forget(key);
      this.options.ownWrites?.forget(key);
      this.refusals.forget(key);
      this.queue.forget(key);
      return "success";
    }
    const { owned: pods, foreign } = partitionPods(workflow, cache.podsOf(namespace, name));
    const podNames = new Set(pods.map((p) => p.metadata?.name));
    if (!expectations.satisfied(key, workflow.metadata.resourceVersion, (n) => podNames.has(n))) {
      this.queue.addAfter(key, this.options.staleRetryMs ?? 1000, since);
      return "stale";
    }
    try {
      const result = await this.reconcileAndApply(key, workflow, { pods, foreign }, since);
      if (result.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, Math.max(0, result.requeueAfterMs));
        return "requeue_after";
      }
      return "success";
    } catch (err) {
      this.failed(key, since, err);
      return "error";
    }
  }

  private async reconcileAndApply(
    key: WorkflowKey,
    cached: Workflow,
    seen: { pods: V1Pod[]; foreign: ForeignObject[] },
    since: number,
  ): Promise<ReconcileResult> {
    // The engine and the applier read `status.nodes`, never Argo's compressed form of them.
    const workflow = (await this.options.unpackStatus?.(cached)) ?? cached;
    const refusals = this.refusals;
    const refusedBefore = refusals.count(key);
    const facts = refusals.factsOf(key, workflow.metadata.uid);
    const foreignObjects = [...seen.foreign, ...(facts.foreignObjects ?? [])];
    const read = await this.readReferenced(workflow);
    const result = this.options.reconcile({
      workflow: structuredClone(workflow),
      pods: seen.pods,
      now: new Date(this.options.timers.now()),
      config: this.options.engineConfig,
      ...facts,
      ...(foreignObjects.length === 0 ? {} : { foreignObjects }),
      ...read,
    });
    await this.options.applier.apply(workflow, result, { since });
    this.queue.forget(key);
    // A finished workflow may still create its artifact GC pods: what those run into is kept.
    const creating = result.actions.some((a) => a.kind === "createPod");
    if (isWorkflowDone(result.status.phase) && !creating) refusals.forget(key);
    // A pod newly refused during this apply: the engine records it now, not at the next event.
    else if (refusals.count(key) > refusedBefore) this.queue.add(key);
    return result;
  }

  /** What the workflow references beyond its pods: templates, artifact repository ConfigMaps. */
  private async readReferenced(
    workflow: Workflow,
  ): Promise<Pick<ReconcileInput, "workflowTemplates" | "artifactRepositoryConfigMaps">> {
    const workflowTemplates = isWorkflowDone(workflow.status?.phase)
      ? []
      : ((await this.options.workflowTemplates?.(workflow)) ?? []);
    const artifactRepositoryConfigMaps = (await this.options.artifactRepositoryConfigMaps?.(workflow)) ?? [];
    return {
      ...(workflowTemplates.length === 0 ? {} : { workflowTemplates }),
      ...(artifactRepositoryConfigMaps.length === 0 ? {} : { artifactRepositoryConfigMaps }),
    };
  }

  private failed(key: WorkflowKey, since: number, err: unknown): void {
    const delayMs = this.queue.addRateLimited(key, since);
    const fields = {
      workflow: key,
      error: apiErrorMessage(err),
      retryInMs: delayMs,
      failures: this.queue.failuresOf(key),
    };
    // Conflicts are the normal cost of optimistic concurrency: quiet unless they persist.
    if (isConflict(err) && this.queue.failuresOf(key) < 5)
      this.options.logger.debug("reconcile conflict", fields);
    else this.options.logger.warn("reconcile failed", fields);
  }
}
