// What the applier learned creating a workflow's pods and ConfigMaps, handed to the engine with
// the next reconcile (ReconcileInput), so it decides and the status says why (the rule:
// docs/ARCHITECTURE.md "Pods the API server will not create"). A failed create never fails the
// reconcile: that would back off forever, and the status would never be written, the exit handler
// never run, the finalizer never removed. Recorded as the engine's inputs:
//   - a pod refused for good: podCreateFailures; refused for now: podsAwaitingCreate;
//   - an object under the expected name whose controller is not this workflow (AlreadyExists, then
//     a GET): foreignObjects, never used;
//   - a ConfigMap refused for good: configMapCreateFailures, the handler runs without its log tails;
//   - a status too long to store, even compressed (node-status-packing.ts): statusTooLarge, the
//     workflow ends in Error.
//
// Only in memory, on purpose: the engine builds the same objects from the same spec, so after a
// coordinator restart (or a change of leader) a create is simply tried again, answered the same way
// and recorded again. If the status already names the node when the record is lost, a refusal for
// good ends the node as `pod deleted` once the vanish grace is over (still Error, and the exit
// handler still runs); a wait is recognized from the node's own message, which the status keeps.
import type { WorkflowKey } from "../common/workflow-key.ts";
import type { ForeignObject, ReconcileInput } from "./engine/index.ts";
import { apiErrorMessage, isAlreadyExists, statusCodeOf } from "./kube-client.ts";

/** Longest API message kept: a 422 lists every invalid field, and it ends up in the status. */
const MAX_MESSAGE = 1024;

/** The words of the ResourceQuota admission's refusal (Argo matches the same to decide to wait). */
export const QUOTA_EXCEEDED_TEXT = "exceeded quota";

/** A 403 from the ResourceQuota admission: retrying once other pods finish can succeed. */
export function isQuotaExceeded(err: unknown): boolean {
  return statusCodeOf(err) === 403 && apiErrorMessage(err).includes(QUOTA_EXCEEDED_TEXT);
}

/**
 * A refusal that asking again cannot change: the object is malformed (400), invalid (422) or
 * forbidden (403: admission, a namespace being deleted; but not an exceeded quota). AlreadyExists
 * (409), throttling (429), server errors and network errors may pass.
 */
export function isPermanentCreateError(err: unknown): boolean {
  const code = statusCodeOf(err);
  return code === 400 || code === 422 || (code === 403 && !isQuotaExceeded(err));
}

/** How a transient failure reads on the Pending node (a quota refusal keeps the API's words, as Argo). */
function waitMessage(err: unknown): string {
  return isQuotaExceeded(err)
    ? apiErrorMessage(err)
    : `pod not created yet, retrying: ${apiErrorMessage(err)}`;
}

type Kind = "permanent" | "wait";

export interface CreateRefusal {
  kind: Kind;
  message: string;
}

interface Entry {
  uid: string | undefined;
  pods: Map<string, CreateRefusal>;
  foreign: Map<string, ForeignObject>;
  configMaps: Map<string, string>;
  statusTooLarge: string | undefined;
}

export type CreateFacts = Pick<
  ReconcileInput,
  "podCreateFailures" | "podsAwaitingCreate" | "foreignObjects" | "configMapCreateFailures" | "statusTooLarge"
>;

export class CreateRefusals {
  private readonly byWorkflow = new Map<WorkflowKey, Entry>();

  /**
   * Records a failed pod create as a refusal for good or a wait, and returns it; undefined for
   * AlreadyExists, which the caller must resolve by looking at the existing pod's owner. `key` is
   * `namespace/name`; `uid` keeps a recreated namesake from inheriting the record.
   */
  recordError(
    key: WorkflowKey,
    uid: string | undefined,
    podName: string,
    err: unknown,
  ): CreateRefusal | undefined {
    if (isAlreadyExists(err)) return undefined;
    const refusal: CreateRefusal = isPermanentCreateError(err)
      ? { kind: "permanent", message: apiErrorMessage(err) }
      : { kind: "wait", message: waitMessage(err) };
    this.entry(key, uid).pods.set(podName, { kind: refusal.kind, message: short(refusal.message) });
    return refusal;
  }

  /** Records a refusal for good with the API's message. */
  record(key: WorkflowKey, uid: string | undefined, podName: string, message: string): void {
    this.entry(key, uid).pods.set(podName, { kind: "permanent", message: short(message) });
  }

  /** The pod was not asked for (a ConfigMap it mounts is not ours): the engine asks again. */
  recordWait(key: WorkflowKey, uid: string | undefined, podName: string, message: string): void {
    this.entry(key, uid).pods.set(podName, { kind: "wait", message: short(message) });
  }

  /** An object under one of the workflow's names that the workflow does not control. */
  recordForeign(key: WorkflowKey, uid: string | undefined, foreign: ForeignObject): void {
    this.entry(key, uid).foreign.set(`${foreign.kind}/${foreign.name}`, foreign);
  }

  /** A ConfigMap refused for good. */
  recordConfigMapRefusal(key: WorkflowKey, uid: string | undefined, name: string, message: string): void {
    this.entry(key, uid).configMaps.set(name, short(message));
  }

  /** The status the engine asked for cannot be stored (the API's words or the size limit's). */
  recordStatusTooLarge(key: WorkflowKey, uid: string | undefined, message: string): void {
    this.entry(key, uid).statusTooLarge = short(message);
  }

  /** The pod was created after all (a wait is over). */
  clear(key: WorkflowKey, podName: string): void {
    this.byWorkflow.get(key)?.pods.delete(podName);
  }

  /** Everything recorded for this incarnation, shaped as the engine's input (empty parts left out). */
  factsOf(key: WorkflowKey, uid: string | undefined): CreateFacts {
    const entry = this.byWorkflow.get(key);
    if (entry === undefined || entry.uid !== uid) return {};
    const facts: CreateFacts = {};
    const permanent = select(entry, "permanent");
    const waiting = select(entry, "wait");
    if (permanent !== undefined) facts.podCreateFailures = permanent;
    if (waiting !== undefined) facts.podsAwaitingCreate = waiting;
    if (entry.foreign.size > 0) facts.foreignObjects = [...entry.foreign.values()];
    if (entry.configMaps.size > 0) facts.configMapCreateFailures = Object.fromEntries(entry.configMaps);
    if (entry.statusTooLarge !== undefined) facts.statusTooLarge = entry.statusTooLarge;
    return facts;
  }

  /** How many facts are recorded for the key (any incarnation): a new one is worth a reconcile at once. */
  count(key: WorkflowKey): number {
    const entry = this.byWorkflow.get(key);
    if (entry === undefined) return 0;
    const tooLarge = entry.statusTooLarge === undefined ? 0 : 1;
    return entry.pods.size + entry.foreign.size + entry.configMaps.size + tooLarge;
  }

  /** The workflow is deleted or finished: its records will not be asked about again. */
  forget(key: WorkflowKey): void {
    this.byWorkflow.delete(key);
  }

  private entry(key: WorkflowKey, uid: string | undefined): Entry {
    let entry = this.byWorkflow.get(key);
    if (entry === undefined || entry.uid !== uid) {
      entry = { uid, pods: new Map(), foreign: new Map(), configMaps: new Map(), statusTooLarge: undefined };
      this.byWorkflow.set(key, entry);
    }
    return entry;
  }
}

function short(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

function select(entry: Entry, kind: Kind): Record<string, string> | undefined {
  const selected = [...entry.pods].filter(([, refusal]) => refusal.kind === kind);
  if (selected.length === 0) return undefined;
  return Object.fromEntries(selected.map(([pod, refusal]) => [pod, refusal.message]));
}
