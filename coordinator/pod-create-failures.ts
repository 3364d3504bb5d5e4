// Pods the API server refused to create for good, per workflow, handed to the engine as
// ReconcileInput.podCreateFailures so the node ends in Error instead of the reconcile failing and
// backing off forever (the status would never be written and the exit handler never run).
//
// Only in memory, on purpose: the engine builds the same pod from the same spec, so after a
// coordinator restart (or a change of leader) a create that was refused is simply tried again,
// refused again the same way and recorded again. If the status already names the node when the
// record is lost, the node instead ends as `pod deleted` once the vanish grace is over (still
// Error, and the exit handler still runs).
import { statusCodeOf } from "./kube-client.ts";

/** Longest API message kept: a 422 lists every invalid field, and it ends up in the status. */
const MAX_MESSAGE = 1024;

/**
 * A refusal that asking again cannot change: the pod is malformed (400), invalid (422) or
 * forbidden by admission or quota (403). AlreadyExists (409), throttling (429), server errors
 * and network errors stay retryable.
 */
export function isPermanentCreateError(err: unknown): boolean {
  const code = statusCodeOf(err);
  return code === 400 || code === 403 || code === 422;
}

interface Entry {
  uid: string | undefined;
  pods: Map<string, string>;
}

export class PodCreateFailures {
  private readonly byWorkflow = new Map<string, Entry>();

  /** `key` is `namespace/name`; `uid` keeps a recreated namesake from inheriting the record. */
  record(key: string, uid: string | undefined, podName: string, message: string): void {
    let entry = this.byWorkflow.get(key);
    if (entry === undefined || entry.uid !== uid) {
      entry = { uid, pods: new Map() };
      this.byWorkflow.set(key, entry);
    }
    const short = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
    entry.pods.set(podName, short);
  }

  /** Pod name → message for this incarnation of the workflow; undefined when nothing was refused. */
  of(key: string, uid: string | undefined): Readonly<Record<string, string>> | undefined {
    const entry = this.byWorkflow.get(key);
    if (entry === undefined || entry.uid !== uid || entry.pods.size === 0) return undefined;
    return Object.fromEntries(entry.pods);
  }

  /** How many refusals are recorded for the key (any incarnation). */
  count(key: string): number {
    return this.byWorkflow.get(key)?.pods.size ?? 0;
  }

  /** The workflow is deleted or finished: its refusals will not be asked about again. */
  forget(key: string): void {
    this.byWorkflow.delete(key);
  }
}
