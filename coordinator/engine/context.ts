// The working state of one reconcile: a fresh copy of the node map, the observed pods and
// the actions emitted so far. It lives only for one call of reconcile, which stays pure.
import type { V1Pod } from "@kubernetes/client-node";
import type { Scope } from "./expr/template.ts";
import { isArgoVariable } from "./expr/template.ts";
import type {
  Arguments,
  ArtifactRepositoryRefStatus,
  NodePhase,
  NodeStatus,
  NodeType,
  Template,
  Workflow,
} from "./workflow.ts";
import { isNodeDone } from "./workflow.ts";
import { nodeId } from "../../common/names.ts";
import type { LogTailsMount } from "./log-tails.ts";
import type { Action, EngineConfig, ForeignObject } from "./types.ts";
import { refOfKey } from "./refs/keys.ts";

/** Why running steps are being stopped; undefined while the workflow runs normally. */
export interface Kill {
  /** Message for the nodes it fails. */
  nodeMessage: string;
  /** Whether exit handlers (workflow and step level) still run. */
  handlersRun: boolean;
  /** Workflow message when the body ends failed; undefined keeps the entry node's message. */
  workflowMessage: string | undefined;
}

/** What is shared by every node executed under one root (the entrypoint, or the exit handler). */
export interface Frame {
  /** The `workflow.*` (and `onexit.*`) variables for this part of the workflow. */
  globals: () => Scope;
  /** Part of an exit handler: labelled on-exit, not killed by Stop or the deadline. */
  onExit: boolean;
  /** The workflow-level handler's: the failed steps' log tails its pods mount (or why they cannot). */
  logTails: LogTailsMount | undefined;
  depth: number;
}

export interface ExecRequest {
  nodeName: string;
  templateName: string;
  /** Already substituted arguments. */
  args: Arguments;
  boundaryID: string;
  frame: Frame;
}

export interface Ctx {
  wf: Workflow;
  name: string;
  namespace: string;
  /** Read freely; written only through setNode, which counts the write in `version`. */
  readonly nodes: Readonly<Record<string, NodeStatus>>;
  pods: ReadonlyMap<string, V1Pod>;
  /** Pod name → the API server's message, for pods it refused to create (ReconcileInput). */
  podCreateFailures: Readonly<Record<string, string>>;
  /** Pod name → why its create must be asked for again (ReconcileInput). */
  podsAwaitingCreate: Readonly<Record<string, string>>;
  /** Pod name → a pod under that name this workflow does not control (ReconcileInput). */
  foreignPods: ReadonlyMap<string, ForeignObject>;
  /** ConfigMap name → a ConfigMap under that name this workflow does not control (ReconcileInput). */
  foreignConfigMaps: ReadonlyMap<string, ForeignObject>;
  /** ConfigMap name → the API server's message, for ConfigMaps it refused for good (ReconcileInput). */
  configMapCreateFailures: Readonly<Record<string, string>>;
  templates: ReadonlyMap<string, Template>;
  now: Date;
  nowIso: string;
  config: EngineConfig;
  /**
   * The workflow's artifact repository as resolved (artifacts/repository.ts) and stored in
   * `status.artifactRepositoryRef`; `artifactRepository` is undefined when none is configured
   * (a step that needs one fails with artifacts/s3.ts NO_REPOSITORY). s3RepositoryOf turns it
   * into a pod plan's store.
   */
  artifactRepository: ArtifactRepositoryRefStatus;
  actions: Action[];
  kill: Kill | undefined;
  /** Global output parameters (globalName → value); written only through setGlobalOutput. */
  readonly globalOutputs: Readonly<Record<string, string>>;
  /** How many writes `nodes` and `globalOutputs` have had: what memoByVersion keys its values by. */
  readonly version: number;
  /** Earliest time (ms from now) the engine wants to look again (pod vanish grace, quota wait, retry backoff). */
  wakeAfterMs: number | undefined;
}

/** A template's input parameter with its value resolved (nodes/inputs.ts). */
export interface InputValue {
  name: string;
  value: string;
}

/** A template to run as one node, its inputs resolved: what execute.ts hands to the pod, steps, DAG and retry executors. */
export interface TemplateCall {
  req: ExecRequest;
  template: Template;
  inputs: readonly InputValue[];
}

/**
 * Runs a template as a node: execute.ts's executeTemplate. The executors whose children are
 * templates again (steps, DAG tasks and loop items, exit hooks) take it as a parameter, so the
 * engine's one recursion shows in their signatures instead of hiding in the context.
 */
export type RunTemplate = (ctx: Ctx, req: ExecRequest) => NodeStatus;

const MAX_DEPTH = 50;

/** Argo leaves `{{name}}` that is not one of its variables (a script's own templating) as written. */
export function keepUnresolved(name: string): boolean {
  return !isArgoVariable(name) && !name.startsWith("onexit.");
}

export function tooDeep(frame: Frame): boolean {
  return frame.depth > MAX_DEPTH;
}

export function idOf(ctx: Ctx, nodeName: string): string {
  return nodeId(ctx.name, nodeName);
}

export function getNode(ctx: Ctx, nodeName: string): NodeStatus | undefined {
  return ctx.nodes[idOf(ctx, nodeName)];
}

/** The node's children that exist, in order (step groups, loop items, retry attempts). */
export function childNodes(ctx: Ctx, node: NodeStatus | undefined): NodeStatus[] {
  return (node?.children ?? []).flatMap((id) => ctx.nodes[id] ?? []);
}

const SEPARATOR = /^(\[\d+\])?\./;

/** Argo's display name: the node name without its boundary's name and the separator. */
export function displayNameOf(ctx: Ctx, nodeName: string, boundaryID: string): string {
  const boundary = boundaryID === "" ? undefined : ctx.nodes[boundaryID];
  if (boundary === undefined || !nodeName.startsWith(boundary.name)) return nodeName;
  return nodeName.slice(boundary.name.length).replace(SEPARATOR, "");
}

export interface NewNode {
  name: string;
  type: NodeType;
  templateName: string;
  boundaryID: string;
  phase: NodePhase;
  message?: string;
}

/** The fields only this module writes, each write counted in `version` so no memo can miss it. */
interface Writable {
  nodes: Record<string, NodeStatus>;
  globalOutputs: Record<string, string>;
  version: number;
}

function writable(ctx: Ctx): Writable {
  return ctx as unknown as Writable;
}

/** Stores a node (replaced, never mutated: checkpoint relies on it). */
export function setNode(ctx: Ctx, node: NodeStatus): NodeStatus {
  const state = writable(ctx);
  state.nodes[node.id] = node;
  state.version++;
  return node;
}

export function setGlobalOutput(ctx: Ctx, name: string, value: string): void {
  const state = writable(ctx);
  state.globalOutputs[name] = value;
  state.version++;
}

/**
 * A value computed from `nodes` and `globalOutputs` (and what stays fixed for the pass), computed
 * again only after one of them was written. It cannot be stale: every write goes through
 * setNode/setGlobalOutput, which count it in `version`.
 */
export function memoByVersion<T>(ctx: Ctx, compute: () => T): () => T {
  let memo: { version: number; value: T } | undefined;
  return () => {
    if (memo?.version !== ctx.version) memo = { version: ctx.version, value: compute() };
    return memo.value;
  };
}

/** Creates a node, or returns the existing one unchanged (idempotent). */
export function initNode(ctx: Ctx, spec: NewNode): NodeStatus {
  const id = idOf(ctx, spec.name);
  const existing = ctx.nodes[id];
  if (existing !== undefined) return existing;
  const node: NodeStatus = {
    id,
    name: spec.name,
    displayName: displayNameOf(ctx, spec.name, spec.boundaryID),
    type: spec.type,
    templateName: spec.templateName,
    phase: spec.phase,
    boundaryID: spec.boundaryID,
    startedAt: ctx.nowIso,
  };
  // A referenced template's node names it as Argo does: its name there, and where (refs/keys.ts).
  const ref = refOfKey(spec.templateName);
  if (ref !== undefined) {
    node.templateName = ref.template;
    node.templateRef = ref;
  }
  if (spec.message !== undefined) node.message = spec.message;
  if (isNodeDone(spec.phase)) node.finishedAt = ctx.nowIso;
  return setNode(ctx, node);
}

/** Updates a node; a node in a terminal phase never changes again (monotonic status). */
export function updateNode(ctx: Ctx, id: string, patch: Partial<NodeStatus>): NodeStatus {
  const node = ctx.nodes[id];
  if (node === undefined) throw new Error(`node ${id} does not exist`);
  if (isNodeDone(node.phase)) return node;
  const next: NodeStatus = { ...node, ...patch };
  if (isNodeDone(next.phase) && next.finishedAt === undefined) next.finishedAt = ctx.nowIso;
  return setNode(ctx, next);
}

/** Ends a node in a terminal phase with a message (kept if none is given). */
export function finishNode(ctx: Ctx, id: string, phase: NodePhase, message?: string): NodeStatus {
  const patch: Partial<NodeStatus> = { phase };
  if (message !== undefined && message !== "") patch.message = message;
  return updateNode(ctx, id, patch);
}

export function addChild(ctx: Ctx, parentId: string, childId: string): void {
  const parent = ctx.nodes[parentId];
  if (parent === undefined) return;
  const children = parent.children ?? [];
  if (children.includes(childId)) return;
  setNode(ctx, { ...parent, children: [...children, childId] });
}

export function requestWake(ctx: Ctx, afterMs: number): void {
  const ms = Math.max(0, Math.ceil(afterMs));
  if (ctx.wakeAfterMs === undefined || ms < ctx.wakeAfterMs) ctx.wakeAfterMs = ms;
}

export function childFrame(frame: Frame): Frame {
  return { ...frame, depth: frame.depth + 1 };
}

/**
 * Remembers the working state so a part of the pass can be run again from here (a DAG that finds
 * mid-way that it must fail fast redoes its pass, so what it starts does not depend on task order).
 * Nodes are replaced, never mutated, so a shallow copy of the map is enough.
 */
export function checkpoint(ctx: Ctx): () => void {
  const nodes = { ...ctx.nodes };
  const globalOutputs = { ...ctx.globalOutputs };
  const actions = ctx.actions.length;
  const wakeAfterMs = ctx.wakeAfterMs;
  return () => {
    const state = writable(ctx);
    state.nodes = nodes;
    state.globalOutputs = globalOutputs;
    // Forward, never back: a value memoized at a later version must not match the restored nodes.
    state.version++;
    ctx.actions.length = actions;
    ctx.wakeAfterMs = wakeAfterMs;
  };
}
