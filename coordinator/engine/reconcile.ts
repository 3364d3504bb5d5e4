// The engine's entry: (workflow, its pods, now) → (new status, actions). Pure and
// level-based: run again on its own output it asks for nothing new.
import type { V1Pod } from "@kubernetes/client-node";
import type { Scope } from "./expr/template.ts";
import type { NodeStatus, Template, Workflow, WorkflowStatus } from "./workflow.ts";
import { isNodeDone, isWorkflowDone } from "./workflow.ts";
import { FINALIZER, nodeId } from "../../common/names.ts";
import type { Ctx, Frame } from "./context.ts";
import { memoByVersion } from "./context.ts";
import { FAILED_LOGS_VARIABLE } from "./nodes/failed-logs.ts";
import { LOG_DIR } from "./log-tails.ts";
import { executeTemplate } from "./execute.ts";
import { handlerNodeName, runExitHandler } from "./nodes/exit-handler.ts";
import { addFinalizerActions, deleting, hasFinalizer, removeFinalizerActions } from "./finalizer.ts";
import { decideKill, deadlineOf } from "./kill.ts";
import {
  handlerEvents,
  bodyPhaseOf,
  outcomeOf,
  phaseEvents,
  progressOf,
  waitingMessage,
  workflowLabels,
} from "./outcome.ts";
import type { Outcome } from "./outcome.ts";
import { workflowScope } from "./scope.ts";
import type { Action, ForeignObject, ReconcileInput, ReconcileResult } from "./types.ts";
import { deleteStrayPods } from "./stray-pods.ts";
import { completeRecordings } from "./nodes/pod-recording.ts";
import { validateSpec } from "./validate/validate.ts";
import { resolveReferences, type Resolved } from "./refs/resolve.ts";
import { readableStatus } from "./argo-status.ts";
import { followRunningPods, isSuspended } from "./suspended.ts";
import { resolveArtifactRepository } from "./artifacts/repository.ts";
import { artifactGC, gcFinalizerActions, releaseGCFinalizer, type GCInput } from "./artifacts/gc.ts";
import type { ArtifactRepositoryRefStatus } from "./workflow.ts";

function globalOutputsOf(wf: Workflow): Record<string, string> {
  const globalOutputs: Record<string, string> = {};
  for (const p of wf.status?.outputs?.parameters ?? [])
    if (p.value !== undefined) globalOutputs[p.name] = p.value;
  return globalOutputs;
}

function foreignOfKind(input: ReconcileInput, kind: ForeignObject["kind"]): Map<string, ForeignObject> {
  return new Map((input.foreignObjects ?? []).filter((o) => o.kind === kind).map((o) => [o.name, o]));
}

function newCtx(input: ReconcileInput, artifactRepository: ArtifactRepositoryRefStatus): Ctx {
  const wf = input.workflow;
  const pods = new Map<string, V1Pod>();
  for (const pod of input.pods) if (pod.metadata?.name) pods.set(pod.metadata.name, pod);
  const templates = new Map<string, Template>(wf.spec.templates.map((t) => [t.name, t]));
  return {
    wf,
    name: wf.metadata.name ?? "",
    namespace: wf.metadata.namespace ?? "default",
    nodes: { ...wf.status?.nodes },
    pods,
    podCreateFailures: input.podCreateFailures ?? {},
    podsAwaitingCreate: input.podsAwaitingCreate ?? {},
    foreignPods: foreignOfKind(input, "Pod"),
    foreignConfigMaps: foreignOfKind(input, "ConfigMap"),
    configMapCreateFailures: input.configMapCreateFailures ?? {},
    templates,
    now: input.now,
    nowIso: input.now.toISOString(),
    config: input.config,
    artifactRepository,
    actions: [],
    kill: undefined,
    globalOutputs: globalOutputsOf(wf),
    version: 0,
    wakeAfterMs: undefined,
  };
}

/** The `workflow.*` variables the body sees, as they stand now (memoByVersion). */
function bodyScope(ctx: Ctx, startedAt: string): () => Scope {
  return memoByVersion(ctx, () => {
    const facts = {
      phase: "Running" as const,
      startedAt,
      nodes: ctx.nodes,
      globalOutputs: ctx.globalOutputs,
    };
    return {
      ...workflowScope(ctx.wf, facts, ctx.now),
      "onexit.logDir": LOG_DIR,
      "onexit.logFiles": "[]",
      [FAILED_LOGS_VARIABLE]: JSON.stringify({ onexitFailedLogs: [] }),
    };
  });
}

function outputsOf(ctx: Ctx): WorkflowStatus["outputs"] {
  const names = Object.keys(ctx.globalOutputs);
  if (names.length === 0) return undefined;
  return { parameters: names.map((name) => ({ name, value: ctx.globalOutputs[name] })) };
}

/** A finished workflow: only its artifacts' collection is left (artifacts/gc.ts). */
function finished(input: ReconcileInput): ReconcileResult {
  const wf = input.workflow;
  const gc = artifactGC(gcInputOf(input));
  const result = {
    status: gc.status,
    labels: workflowLabels(gc.status.phase),
    actions: [...gc.actions, ...removeFinalizerActions(wf, true)],
  };
  return gc.requeueAfterMs === undefined ? result : { ...result, requeueAfterMs: gc.requeueAfterMs };
}

function gcInputOf(input: ReconcileInput): GCInput {
  const pods = new Map<string, V1Pod>();
  for (const pod of input.pods) if (pod.metadata?.name) pods.set(pod.metadata.name, pod);
  return {
    wf: input.workflow,
    pods,
    podCreateFailures: input.podCreateFailures ?? {},
    podsAwaitingCreate: input.podsAwaitingCreate ?? {},
    foreignPods: foreignOfKind(input, "Pod"),
    now: input.now,
    image: input.config.image,
  };
}

function errored(input: ReconcileInput, message: string): ReconcileResult {
  const wf = input.workflow;
  const previous = wf.status ?? {};
  const now = input.now.toISOString();
  const status: WorkflowStatus = {
    ...previous,
    phase: "Error",
    message,
    startedAt: previous.startedAt ?? now,
    finishedAt: now,
    progress: previous.progress ?? progressOf(previous.nodes ?? {}),
  };
  const actions = [
    ...phaseEvents(previous.phase, status, wf.metadata.name ?? ""),
    ...removeFinalizerActions(wf, true),
  ];
  return { status, labels: workflowLabels(status.phase), actions };
}

/**
 * The status that fit when last stored, in Error (Argo's persistWorkflowSizeLimitErr), its entry
 * node too when it had not ended, so `argo get` shows where it stopped; other nodes are kept as
 * they were stored (smaller than rewriting them, and what ran is still told).
 */
function tooLarge(input: ReconcileInput, message: string): ReconcileResult {
  const result = errored(input, message);
  const name = input.workflow.metadata.name ?? "";
  const id = nodeId(name, name);
  const entry = result.status.nodes?.[id];
  if (entry === undefined || isNodeDone(entry.phase)) return result;
  const ended: NodeStatus = { ...entry, phase: "Error", message, finishedAt: input.now.toISOString() };
  return { ...result, status: { ...result.status, nodes: { ...result.status.nodes, [id]: ended } } };
}

function requeueOf(ctx: Ctx, deadline: number | undefined, bodyDone: boolean): number | undefined {
  const waits: number[] = [];
  if (ctx.wakeAfterMs !== undefined) waits.push(ctx.wakeAfterMs);
  if (deadline !== undefined && !bodyDone && ctx.kill === undefined)
    waits.push(Math.max(0, deadline - ctx.now.getTime()));
  return waits.length === 0 ? undefined : Math.min(...waits);
}

interface Run {
  ctx: Ctx;
  startedAt: string;
  /** Undefined only while a workflow suspended from the start has run nothing. */
  entry: NodeStatus | undefined;
  handler: NodeStatus | undefined;
  outcome: Outcome;
}

const RUNNING: Outcome = { phase: "Running", message: undefined };

/** The entrypoint, then (once it is done) the exit handler, in the same pass. */
function execute(ctx: Ctx, startedAt: string): Run {
  const wf = ctx.wf;
  ctx.kill = decideKill(wf, startedAt, ctx.now);
  const frame: Frame = { globals: bodyScope(ctx, startedAt), onExit: false, logTails: undefined, depth: 0 };
  const args = wf.spec.arguments ?? {};
  const templateName = wf.spec.entrypoint ?? "";
  const entry = executeTemplate(ctx, { nodeName: ctx.name, templateName, args, boundaryID: "", frame });
  const body = bodyPhaseOf(entry);
  const handler = body === undefined ? undefined : runExitHandler(ctx, body, startedAt);
  deleteStrayPods(ctx);
  const reportsAwaited = completeRecordings(ctx);
  const handlerPending = handler !== undefined && !isNodeDone(handler.phase);
  const outcome = outcomeOf({ entry, handler, handlerPending, kill: ctx.kill });
  // Not finished while a step decided before its report still awaits it (nodes/pod-recording.ts).
  if (isWorkflowDone(outcome.phase) && reportsAwaited > 0)
    return { ctx, startedAt, entry, handler, outcome: RUNNING };
  return { ctx, startedAt, entry, handler, outcome };
}

/** `spec.suspend` without a kill: the running pods are followed, nothing is executed (suspended.ts). */
function hold(ctx: Ctx, startedAt: string): Run {
  followRunningPods(ctx);
  const entry = ctx.nodes[nodeId(ctx.name, ctx.name)];
  return { ctx, startedAt, entry, handler: undefined, outcome: { phase: "Running", message: undefined } };
}

function statusOf(run: Run, stored: Resolved["stored"]): WorkflowStatus {
  const { ctx, outcome } = run;
  const status: WorkflowStatus = {
    ...stored,
    phase: outcome.phase,
    startedAt: run.startedAt,
    progress: progressOf(ctx.nodes),
    nodes: ctx.nodes,
    artifactRepositoryRef: ctx.artifactRepository,
  };
  const message = outcome.message ?? (outcome.phase === "Running" ? waitingMessage(ctx.nodes) : undefined);
  if (message !== undefined) status.message = message;
  if (isWorkflowDone(outcome.phase)) status.finishedAt = ctx.nowIso;
  const outputs = outputsOf(ctx);
  if (outputs !== undefined) status.outputs = outputs;
  return status;
}

function actionsOf(run: Run, status: WorkflowStatus): Action[] {
  const { ctx } = run;
  const wf = ctx.wf;
  const done = isWorkflowDone(status.phase);
  const previous = wf.status ?? {};
  const handlerBefore = previous.nodes?.[nodeId(ctx.name, handlerNodeName(ctx))];
  return [
    ...(done ? [] : addFinalizerActions(wf)),
    ...(done ? [] : gcFinalizerActions(wf)),
    ...ctx.actions,
    ...handlerEvents(handlerBefore, run.handler),
    ...phaseEvents(previous.phase, status, ctx.name),
    ...removeFinalizerActions(wf, done),
  ];
}

function run(given: ReconcileInput): ReconcileResult {
  const input = { ...given, workflow: readableStatus(given.workflow) };
  const previous = input.workflow.status ?? {};
  if (isWorkflowDone(previous.phase)) return finished(input);
  if (input.statusTooLarge !== undefined) return tooLarge(input, input.statusTooLarge);
  // Deleted without our finalizer (opted out, or never started): it is going away; start nothing,
  // and hold nothing (its artifacts are left: it never finished).
  if (deleting(input.workflow) && !hasFinalizer(input.workflow))
    return { status: previous, actions: releaseGCFinalizer(input.workflow) };
  // Everything below reads the workflow with its references resolved (refs/resolve.ts).
  const resolved = resolveReferences(input.workflow, input.workflowTemplates ?? []);
  if (!resolved.ok) return errored(input, `invalid spec: ${resolved.error}`);
  const wf = resolved.value.workflow;
  const problem = validateSpec(wf, resolved.value.sourcesKey);
  if (problem !== undefined) return errored(input, `invalid spec: ${problem}`);
  const repository = resolveArtifactRepository(wf, {
    configMaps: input.artifactRepositoryConfigMaps ?? [],
    controllerNamespace: input.config.controllerNamespace,
    defaultRepository: input.config.defaultArtifactRepository,
  });
  if (!repository.ok) return errored(input, `artifact repository: ${repository.error}`);
  return pass(newCtx({ ...input, workflow: wf }, repository.ref), previous.startedAt, resolved.value.stored);
}

function pass(ctx: Ctx, previousStart: string | undefined, stored: Resolved["stored"]): ReconcileResult {
  const wf = ctx.wf;
  const startedAt = previousStart ?? ctx.nowIso;
  const held = isSuspended(wf) && decideKill(wf, startedAt, ctx.now) === undefined;
  const result = held ? hold(ctx, startedAt) : execute(ctx, startedAt);
  const status = statusOf(result, stored);
  const actions = actionsOf(result, status);
  const labels = workflowLabels(status.phase);
  if (isWorkflowDone(status.phase)) return { status, labels, actions };
  // Suspended, the deadline still counts (as in Argo): it is what ends the suspension then.
  const bodyDone = !held && result.entry !== undefined && isNodeDone(result.entry.phase);
  const requeueAfterMs = requeueOf(ctx, deadlineOf(wf, result.startedAt), bodyDone);
  return requeueAfterMs === undefined
    ? { status, labels, actions }
    : { status, labels, actions, requeueAfterMs };
}

/** The finalizers left once `actions` are applied. */
function finalizersAfter(finalizers: readonly string[], actions: readonly Action[]): string[] {
  let left = [...finalizers];
  for (const action of actions) {
    if (action.kind !== "addFinalizer" && action.kind !== "removeFinalizer") continue;
    const name = action.finalizer ?? FINALIZER;
    left = left.filter((f) => f !== name);
    if (action.kind === "addFinalizer") left.push(name);
  }
  return left;
}

/**
 * A pass that ends the workflow also does what the next pass of the finished workflow would
 * (its artifacts' collection), so every result is a fixed point: reconciling what it wrote gives
 * nothing new. The controller relies on that to skip the watch event of its own write.
 */
function settle(input: ReconcileInput, result: ReconcileResult): ReconcileResult {
  if (!isWorkflowDone(result.status.phase) || isWorkflowDone(input.workflow.status?.phase)) return result;
  const metadata = input.workflow.metadata;
  const finalizers = finalizersAfter(metadata.finalizers ?? [], result.actions);
  const next = finished({
    ...input,
    workflow: { ...input.workflow, metadata: { ...metadata, finalizers }, status: result.status },
  });
  const settled = { status: next.status, labels: next.labels, actions: [...result.actions, ...next.actions] };
  return next.requeueAfterMs === undefined ? settled : { ...settled, requeueAfterMs: next.requeueAfterMs };
}

/** Nothing a user writes may throw out of here: an unexpected failure ends the workflow in Error. */
export function reconcile(input: ReconcileInput): ReconcileResult {
  try {
    return settle(input, run(input));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return errored(input, `internal error: ${message}`);
  }
}
