// What this replica knows it wrote but its caches may not show yet (client-go's "expectations").
// Reconciling from a cache older than our own last write would compute from stale state: a
// workflow whose cached resourceVersion is one we already wrote over, or a pod we created that the
// pod informer has not delivered yet (the engine could take it for lost). Until the caches catch
// up the key waits; entries expire so a lost event cannot block a workflow forever.
import type { WorkflowKey } from "../common/workflow-key.ts";

interface Entry {
  staleVersions: Set<string>;
  pods: Set<string>;
  at: number;
  /** A reconcile found the caches behind and waits for them: the next event of this key is wanted. */
  waitedOn: boolean;
}

export interface ExpectationsOptions {
  now: () => number;
  /** After this long an unmet expectation is dropped (the periodic relist repairs the cache). */
  timeoutMs?: number;
}

export class CacheExpectations {
  private readonly entries = new Map<WorkflowKey, Entry>();
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(options: ExpectationsOptions) {
    this.now = options.now;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The workflow was written over `resourceVersion`: a cache still holding it is stale. Several
   *  writes in one reconcile (finalizer, status, finalizer) each leave a version behind. */
  wroteWorkflow(key: WorkflowKey, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined) return;
    const entry = this.entry(key);
    entry.staleVersions.add(resourceVersion);
    entry.at = this.now();
  }

  createdPod(key: WorkflowKey, podName: string): void {
    const entry = this.entry(key);
    entry.pods.add(podName);
    entry.at = this.now();
  }

  /** True when the caches reflect every write we made for this key; clears what they now show. */
  satisfied(
    key: WorkflowKey,
    workflowVersion: string | undefined,
    podInCache: (name: string) => boolean,
  ): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return true;
    if (this.now() - entry.at > this.timeoutMs) {
      this.entries.delete(key);
      return true;
    }
    // A version we never wrote over is newer than all we did (versions only move forward).
    if (workflowVersion === undefined || !entry.staleVersions.has(workflowVersion))
      entry.staleVersions.clear();
    for (const name of [...entry.pods]) if (podInCache(name)) entry.pods.delete(name);
    if (entry.staleVersions.size === 0 && entry.pods.size === 0) {
      this.entries.delete(key);
      return true;
    }
    entry.waitedOn = true;
    return false;
  }

  /** True while a reconcile of this key waits for the caches: any event of it may be the awaited
   *  one, so none is skipped or coalesced (own-writes.ts, pod-change.ts). */
  awaited(key: WorkflowKey): boolean {
    return this.entries.get(key)?.waitedOn === true;
  }

  forget(key: WorkflowKey): void {
    this.entries.delete(key);
  }

  private entry(key: WorkflowKey): Entry {
    let entry = this.entries.get(key);
    if (entry === undefined)
      this.entries.set(
        key,
        (entry = { staleVersions: new Set(), pods: new Set(), at: this.now(), waitedOn: false }),
      );
    return entry;
  }
}
