// artifactGC as Argo's: the output artifacts the workflow wrote (the nodes' `outputs.artifacts`
// with an `s3.key`) are deleted when the workflow completes (`OnWorkflowCompletion`) or when it is
// deleted (`OnWorkflowDeletion`); the artifact's own `artifactGC.strategy` wins over the
// workflow's `spec.artifactGC.strategy`; none, or `Never`, keeps it. The deletion runs in a GC pod
// in the workflow's namespace (gc-pod.ts), which reads the store's credentials from the Secret
// there, as Argo's does. Whatever happens (the store down, the pod refused or stuck, the namespace
// going away) the collection ends within GC_DEADLINE_MS, is recorded (`status.artifactGCStatus`,
// the condition ArtifactGCError, a Warning event) and never holds the workflow's deletion longer:
// the artifact-gc finalizer is always released (Argo's forceFinalizerRemoval, always on).
import type { V1Pod } from "@kubernetes/client-node";
import { ARTIFACT_GC_FINALIZER } from "../../../common/artifact-gc.ts";
import { MAIN_CONTAINER } from "../../../common/names.ts";
import type { Action, ForeignObject } from "../types.ts";
import type { ArtifactGCStrategy, Workflow, WorkflowCondition, WorkflowStatus } from "../workflow.ts";
import { isWorkflowDone } from "../workflow.ts";
import { observePod } from "../nodes/pod-observe.ts";
import { s3RepositoryOf } from "./s3.ts";
import { gcPod, gcPodName } from "./gc-pod.ts";

/** How long a collection may take, from the workflow's end or deletion, before it is given up. */
export const GC_DEADLINE_MS = 5 * 60_000;
export const GC_CONDITION = "ArtifactGCError";

export type GCStrategy = Exclude<ArtifactGCStrategy, "" | "Never">;
const STRATEGIES: readonly GCStrategy[] = ["OnWorkflowCompletion", "OnWorkflowDeletion"];

export interface GCInput {
  wf: Workflow;
  pods: ReadonlyMap<string, V1Pod>;
  podCreateFailures: Readonly<Record<string, string>>;
  podsAwaitingCreate: Readonly<Record<string, string>>;
  foreignPods: ReadonlyMap<string, ForeignObject>;
  now: Date;
  /** onexit's image, which the GC pod runs; undefined: collections fail saying so. */
  image: string | undefined;
}

export interface GCResult {
  /** The status with `artifactGCStatus`/`conditions` brought up to date (the same object when nothing changed). */
  status: WorkflowStatus;
  actions: Action[];
  requeueAfterMs: number | undefined;
}

interface Recorded {
  key: string;
  strategy: ArtifactGCStrategy;
}

function isStrategy(value: unknown): value is ArtifactGCStrategy {
  return value === "" || value === "Never" || STRATEGIES.includes(value as GCStrategy);
}

function strategyOf(
  artifact: Record<string, unknown>,
  workflowStrategy: ArtifactGCStrategy,
): ArtifactGCStrategy {
  const own = (artifact["artifactGC"] as { strategy?: unknown } | undefined)?.strategy;
  return isStrategy(own) && own !== "" ? own : workflowStrategy;
}

/** Every output artifact the nodes recorded with a key, and the strategy that applies to it. */
function recordedArtifacts(wf: Workflow): Recorded[] {
  const workflowStrategy = workflowGCOf(wf)?.strategy ?? "";
  return Object.values(wf.status?.nodes ?? {}).flatMap((node) =>
    (node.outputs?.artifacts ?? []).flatMap((artifact) => {
      const key = artifact.s3?.key;
      return typeof key === "string" && key !== ""
        ? [{ key, strategy: strategyOf(artifact, workflowStrategy) }]
        : [];
    }),
  );
}

/** `spec.artifactGC`, or the one a `workflowTemplateRef` gave (stored in the status when it started). */
function workflowGCOf(wf: Workflow): Workflow["spec"]["artifactGC"] {
  return wf.spec.artifactGC ?? wf.status?.storedWorkflowTemplateSpec?.artifactGC;
}

/** The keys one strategy deletes, sorted and once each. */
export function keysOf(wf: Workflow, strategy: GCStrategy): string[] {
  const keys = recordedArtifacts(wf).flatMap((a) => (a.strategy === strategy ? [a.key] : []));
  return [...new Set(keys)].sort();
}

/** Whether the workflow may have artifacts to delete when it is deleted: then it holds the
 * artifact-gc finalizer from its start (none can be added once it is being deleted). */
export function mayCollectOnDeletion(wf: Workflow): boolean {
  if (workflowGCOf(wf)?.strategy === "OnWorkflowDeletion") return true;
  const stored = wf.status?.storedWorkflowTemplateSpec?.templates ?? [];
  const templates = [
    ...(wf.spec.templates ?? []),
    ...stored,
    ...Object.values(wf.status?.storedTemplates ?? {}),
  ];
  return templates.some((t) =>
    (t.outputs?.artifacts ?? []).some(
      (a) => (a["artifactGC"] as { strategy?: unknown } | undefined)?.strategy === "OnWorkflowDeletion",
    ),
  );
}

const deleting = (wf: Workflow): boolean =>
  wf.metadata.deletionTimestamp !== undefined && wf.metadata.deletionTimestamp !== null;

/** When the strategy's collection became due: the workflow's end, or its deletion. */
function dueSince(wf: Workflow, strategy: GCStrategy): number | undefined {
  const status = wf.status ?? {};
  if (!isWorkflowDone(status.phase)) return undefined;
  const at = strategy === "OnWorkflowCompletion" ? status.finishedAt : wf.metadata.deletionTimestamp;
  if (strategy === "OnWorkflowDeletion" && !deleting(wf)) return undefined;
  const ms = at === undefined ? NaN : new Date(at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

type Step =
  { done: false; actions: Action[]; wakeAtMs: number } | { done: true; failure: string | undefined };

/** How the GC pod ended, if it did: undefined while it has yet to (or was never created). */
function podOutcome(input: GCInput, name: string, left: string): { failure: string | undefined } | undefined {
  const refused = input.podCreateFailures[name];
  if (refused !== undefined) return { failure: `GC pod ${name} could not be created: ${refused}; ${left}` };
  if (input.foreignPods.has(name))
    return { failure: `a pod named ${name} exists that this workflow does not control; ${left}` };
  const pod = input.pods.get(name);
  const seen = pod === undefined ? undefined : observePod(pod);
  if (pod === undefined || seen?.state !== "done") return undefined;
  if (seen.phase === "Succeeded") return { failure: undefined };
  const why = terminationMessage(pod) ?? seen.message ?? `exit code ${seen.exitCode ?? "unknown"}`;
  const namespace = input.wf.metadata.namespace ?? "default";
  return { failure: `GC pod ${name} failed: ${why} (kubectl logs -n ${namespace} ${name}); ${left}` };
}

function leftOf(keys: readonly string[], bucket: string): string {
  const shown = keys.slice(0, 3).join(", ");
  return `${keys.length} key(s) left in bucket ${bucket}: ${shown}${keys.length > 3 ? ", …" : ""}`;
}

/** One strategy's collection: the pod to create, or how it ended. */
function collect(input: GCInput, strategy: GCStrategy, since: number): Step {
  const wf = input.wf;
  const keys = keysOf(wf, strategy);
  if (keys.length === 0) return { done: true, failure: undefined };
  const repository = s3RepositoryOf(wf.status?.artifactRepositoryRef?.artifactRepository, "");
  if (repository === undefined) return { done: true, failure: "no S3 artifact repository to delete from" };
  if (input.image === undefined)
    return { done: true, failure: "the coordinator knows no image for the GC pod" };
  const name = gcPodName(wf, strategy);
  const left = leftOf(keys, repository.bucket);
  const outcome = podOutcome(input, name, left);
  if (outcome !== undefined) return { done: true, failure: outcome.failure };
  const deadline = since + GC_DEADLINE_MS;
  const exists = input.pods.has(name);
  if (input.now.getTime() >= deadline) {
    const waiting = input.podsAwaitingCreate[name];
    const state = exists ? "not finished" : `not created${waiting === undefined ? "" : ` (${waiting})`}`;
    return { done: true, failure: `GC pod ${name} ${state} within ${GC_DEADLINE_MS / 60_000} min; ${left}` };
  }
  const pod = gcPod(wf, strategy, { repository, keys, image: input.image });
  return {
    done: false,
    actions: exists ? [] : [{ kind: "createPod", pod, exitHandler: false }],
    wakeAtMs: deadline,
  };
}

/** What the GC program said on failure (its termination message: each key and the store's answer). */
function terminationMessage(pod: V1Pod): string | undefined {
  const main = pod.status?.containerStatuses?.find((c) => c.name === MAIN_CONTAINER);
  const message = main?.state?.terminated?.message?.trim();
  return message === undefined || message === "" ? undefined : message;
}

function withCondition(status: WorkflowStatus, message: string): WorkflowCondition[] {
  const others = (status.conditions ?? []).filter((c) => c.type !== GC_CONDITION);
  const previous = (status.conditions ?? []).find((c) => c.type === GC_CONDITION)?.message;
  const text = previous === undefined ? message : `${previous}; ${message}`;
  return [...others, { type: GC_CONDITION, status: "True", message: text }];
}

/**
 * The collections due now: GC pods to create, and for the ones that ended, the status recording it
 * (with a Warning event when it failed) and the artifact-gc finalizer released once nothing is left
 * for deletion. Pure; run on every reconcile of a finished workflow (and of a running one, for the
 * finalizer).
 */
export function artifactGC(input: GCInput): GCResult {
  const wf = input.wf;
  let status = wf.status ?? {};
  const actions: Action[] = [];
  let wakeAt: number | undefined;
  const processed = { ...status.artifactGCStatus?.strategiesProcessed };
  for (const strategy of STRATEGIES) {
    if (processed[strategy] === true) continue;
    const since = dueSince(wf, strategy);
    if (since === undefined) continue;
    const step = collect(input, strategy, since);
    if (!step.done) {
      actions.push(...step.actions);
      wakeAt = Math.min(wakeAt ?? Infinity, step.wakeAtMs);
      continue;
    }
    processed[strategy] = true;
    status = {
      ...status,
      artifactGCStatus: { ...status.artifactGCStatus, strategiesProcessed: { ...processed } },
    };
    if (step.failure !== undefined) {
      const message = `${strategy}: ${step.failure}`;
      status = { ...status, conditions: withCondition(status, message) };
      actions.push({ kind: "event", type: "Warning", reason: "ArtifactGCFailed", message });
    } else if (keysOf(wf, strategy).length > 0) {
      actions.push({
        kind: "event",
        type: "Normal",
        reason: "ArtifactGCSucceeded",
        message: `${strategy}: artifacts deleted`,
      });
    }
  }
  actions.push(...finalizerActions(wf, processed));
  const requeueAfterMs = wakeAt === undefined ? undefined : Math.max(0, wakeAt - input.now.getTime());
  return { status, actions, requeueAfterMs };
}

/** While the workflow runs: the artifact-gc finalizer, when it may have artifacts to delete on deletion. */
export function gcFinalizerActions(wf: Workflow): Action[] {
  return finalizerActions(wf, { ...wf.status?.artifactGCStatus?.strategiesProcessed });
}

/** Lets go of the artifact-gc finalizer (a workflow deleted before it ever ran). */
export function releaseGCFinalizer(wf: Workflow): Action[] {
  const held = wf.metadata.finalizers?.includes(ARTIFACT_GC_FINALIZER) ?? false;
  return held ? [{ kind: "removeFinalizer", finalizer: ARTIFACT_GC_FINALIZER }] : [];
}

function finalizerActions(wf: Workflow, processed: Partial<Record<ArtifactGCStrategy, boolean>>): Action[] {
  const held = wf.metadata.finalizers?.includes(ARTIFACT_GC_FINALIZER) ?? false;
  if (!held) {
    const wanted = !deleting(wf) && processed.OnWorkflowDeletion !== true && mayCollectOnDeletion(wf);
    return wanted ? [{ kind: "addFinalizer", finalizer: ARTIFACT_GC_FINALIZER }] : [];
  }
  const release = processed.OnWorkflowDeletion === true || !mayCollectOnDeletion(wf);
  return release ? [{ kind: "removeFinalizer", finalizer: ARTIFACT_GC_FINALIZER }] : [];
}
