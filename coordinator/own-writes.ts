// The workflow versions this replica wrote itself. The watch event of such a write needs no pass:
// reconcile's result is a fixed point (engine/testing/world.ts asserts it for every engine test),
// so reconciling the object we just wrote, with the same pods, would find nothing to do. Skipping
// those events took most of the passes (and their status writes) off the coordinator (issue 14).
// An event for any other version (a user's edit, `argo stop`, another replica) is reconciled.
import type { WorkflowKey } from "../common/workflow-key.ts";

/** More versions than one pass writes (finalizer, status, finalizer): older ones were seen or lost. */
const KEPT_PER_WORKFLOW = 8;

export class OwnWrites {
  private readonly versions = new Map<WorkflowKey, string[]>();

  wrote(key: WorkflowKey, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined || resourceVersion === "") return;
    const kept = this.versions.get(key) ?? [];
    kept.push(resourceVersion);
    this.versions.set(key, kept.slice(-KEPT_PER_WORKFLOW));
  }

  /** True (once) when this version is one we wrote. */
  consume(key: WorkflowKey, resourceVersion: string | undefined): boolean {
    const kept = this.versions.get(key);
    if (kept === undefined || resourceVersion === undefined) return false;
    const at = kept.indexOf(resourceVersion);
    if (at < 0) return false;
    // Versions only move forward: the ones written before it will not be seen any more.
    const rest = kept.slice(at + 1);
    if (rest.length === 0) this.versions.delete(key);
    else this.versions.set(key, rest);
    return true;
  }

  forget(key: WorkflowKey): void {
    this.versions.delete(key);
  }

  size(): number {
    return this.versions.size;
  }
}
