// Pods the API server refused to create, per workflow, handed to the engine with the next
// reconcile. Two kinds, as Argo tells them apart:
//   - for good (400, 422, any 403 but quota): ReconcileInput.podCreateFailures, so the node ends
//     in Error instead of the reconcile failing and backing off forever (the status would never
//     be written and the exit handler never run);
//   - exceeded quota (403 "exceeded quota"): ReconcileInput.podsAwaitingQuota, so the node stays
//     Pending with the API's message and the engine asks again later (Argo marks the node Pending
//     and requeues; a namespace at its quota makes workflows wait, not fail).
//
// Only in memory, on purpose: the engine builds the same pod from the same spec, so after a
// coordinator restart (or a change of leader) a create that was refused is simply tried again,
// refused again the same way and recorded again. If the status already names the node when the
// record is lost, a refusal for good ends the node as `pod deleted` once the vanish grace is over
// (still Error, and the exit handler still runs); a quota wait is recognized from the node's own
// message, which the status keeps.
import { QUOTA_EXCEEDED_TEXT } from "./engine/pod-node.ts";
import { apiErrorMessage, statusCodeOf } from "./kube-client.ts";

/** Longest API message kept: a 422 lists every invalid field, and it ends up in the status. */
const MAX_MESSAGE = 1024;

/** A 403 from the ResourceQuota admission: retrying once other pods finish can succeed. */
export function isQuotaExceeded(err: unknown): boolean {
  return statusCodeOf(err) === 403 && apiErrorMessage(err).includes(QUOTA_EXCEEDED_TEXT);
}

/**
 * A refusal that asking again cannot change: the pod is malformed (400), invalid (422) or
 * forbidden by admission (403, but for an exceeded quota). AlreadyExists (409), throttling (429),
 * server errors and network errors stay retryable.
 */
export function isPermanentCreateError(err: unknown): boolean {
  const code = statusCodeOf(err);
  return code === 400 || code === 422 || (code === 403 && !isQuotaExceeded(err));
}

type Kind = "permanent" | "quota";

export interface Refusal {
  kind: Kind;
  message: string;
}

interface Entry {
  uid: string | undefined;
  pods: Map<string, Refusal>;
}

export class PodCreateFailures {
  private readonly byWorkflow = new Map<string, Entry>();

  /**
   * Records a refusal of `err`'s kind and returns it; undefined when `err` is neither kind (the
   * caller fails instead). `key` is `namespace/name`; `uid` keeps a recreated namesake from
   * inheriting the record.
   */
  recordError(key: string, uid: string | undefined, podName: string, err: unknown): Refusal | undefined {
    const kind: Kind | undefined = isQuotaExceeded(err)
      ? "quota"
      : isPermanentCreateError(err)
        ? "permanent"
        : undefined;
    if (kind === undefined) return undefined;
    const refusal: Refusal = { kind, message: apiErrorMessage(err) };
    this.put(key, uid, podName, refusal);
    return refusal;
  }

  /** Records a refusal for good with the API's message. */
  record(key: string, uid: string | undefined, podName: string, message: string): void {
    this.put(key, uid, podName, { kind: "permanent", message });
  }

  /** The pod was created after all (a quota wait is over). */
  clear(key: string, podName: string): void {
    this.byWorkflow.get(key)?.pods.delete(podName);
  }

  /** Pod name → message of the refusals for good, for this incarnation; undefined when none. */
  of(key: string, uid: string | undefined): Readonly<Record<string, string>> | undefined {
    return this.select(key, uid, "permanent");
  }

  /** Pod name → message of the pods last refused for an exceeded quota; undefined when none. */
  awaitingQuota(key: string, uid: string | undefined): Readonly<Record<string, string>> | undefined {
    return this.select(key, uid, "quota");
  }

  /** How many refusals of either kind are recorded for the key (any incarnation). */
  count(key: string): number {
    return this.byWorkflow.get(key)?.pods.size ?? 0;
  }

  /** The workflow is deleted or finished: its refusals will not be asked about again. */
  forget(key: string): void {
    this.byWorkflow.delete(key);
  }

  private put(key: string, uid: string | undefined, podName: string, refusal: Refusal): void {
    let entry = this.byWorkflow.get(key);
    if (entry === undefined || entry.uid !== uid) {
      entry = { uid, pods: new Map() };
      this.byWorkflow.set(key, entry);
    }
    const { message } = refusal;
    const short = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
    entry.pods.set(podName, { kind: refusal.kind, message: short });
  }

  private select(key: string, uid: string | undefined, kind: Kind): Record<string, string> | undefined {
    const entry = this.byWorkflow.get(key);
    if (entry === undefined || entry.uid !== uid) return undefined;
    const selected = [...entry.pods].filter(([, refusal]) => refusal.kind === kind);
    if (selected.length === 0) return undefined;
    return Object.fromEntries(selected.map(([pod, refusal]) => [pod, refusal.message]));
  }
}
