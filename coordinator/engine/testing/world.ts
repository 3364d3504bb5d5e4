// Test helpers in the shape of Argo's controller tests: a workflow from a YAML literal,
// reconcile, make pods' phases (with or without a sidecar report), reconcile, assert.
// `step` applies the actions the way the runtime and Kubernetes would.
import { isDeepStrictEqual } from "node:util";
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import { parse } from "yaml";
import type { NodeStatus, Workflow, WorkflowTemplate } from "../workflow.ts";
import {
  ANNOTATION_NODE_NAME,
  ANNOTATION_REPORT,
  FINALIZER,
  LABEL_COMPLETED,
} from "../../../common/names.ts";
import type { Report } from "../../../common/report.ts";
import { reconcile } from "../reconcile.ts";
import type { Action, EngineConfig, ForeignObject, ReconcileInput, ReconcileResult } from "../types.ts";

export const START = new Date("2026-03-01T10:00:00.000Z");

export interface World {
  workflow: Workflow;
  /** The engine's configuration (default: no service account, no artifact repository). */
  config?: EngineConfig;
  pods: V1Pod[];
  now: Date;
  /** Every action ever emitted, in order. */
  actions: Action[];
  last: ReconcileResult | undefined;
  /** Plays the API server refusing a pod: its message, or undefined to create it. */
  refuse?: (pod: V1Pod) => string | undefined;
  /** What the runtime recorded for refused pods, passed to every later reconcile. */
  podCreateFailures: Record<string, string>;
  /** Plays a create that may pass (a webhook down, a 5xx): its message, or undefined to create it. */
  delay?: (pod: V1Pod) => string | undefined;
  /** Likewise for pods not created yet (over quota, delayed, their ConfigMap not ours); cleared once created. */
  podsAwaitingCreate: Record<string, string>;
  /** Someone else's pods (seen by the informer) and ConfigMaps (found when created) under names the workflow uses. */
  foreign: ForeignObject[];
  /** The foreign ConfigMaps a create ran into: the runtime tells the engine from then on. */
  foundConfigMaps: ForeignObject[];
  /** Plays the API server refusing a ConfigMap for good: its message, or undefined to create it. */
  refuseConfigMap?: (configMap: V1ConfigMap) => string | undefined;
  configMapCreateFailures: Record<string, string>;
  /** The ConfigMaps created, by name. */
  configMaps: Record<string, V1ConfigMap>;
  /** The (Cluster)WorkflowTemplates the runtime's caches hold, passed to every reconcile. */
  workflowTemplates: WorkflowTemplate[];
  /** Plays the runtime finding the status too long to store (ReconcileInput.statusTooLarge). */
  statusTooLarge?: string;
}

/** One step and an exit handler, both a bare container: the workflow most engine tests start from. */
export const ONE_STEP_WITH_HANDLER = `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - {name: main, container: {image: alpine}}
  - {name: bye, container: {image: alpine}}
`;

export function workflowFrom(yamlText: string, name = "wf"): Workflow {
  const wf = parse(yamlText) as Workflow;
  wf.apiVersion ??= "argoproj.io/v1alpha1";
  wf.kind = "Workflow";
  wf.metadata = {
    namespace: "default",
    uid: "uid-1",
    creationTimestamp: START.toISOString(),
    ...wf.metadata,
    name,
  };
  return wf;
}

export function world(yamlText: string, name = "wf"): World {
  return {
    workflow: workflowFrom(yamlText, name),
    pods: [],
    now: START,
    actions: [],
    last: undefined,
    podCreateFailures: {},
    podsAwaitingCreate: {},
    foreign: [],
    foundConfigMaps: [],
    configMapCreateFailures: {},
    configMaps: {},
    workflowTemplates: [],
  };
}

/** ConfigMap name → why it is not ours, for the pods of the same pass that mount it. */
type Blocked = Map<string, string>;

function createConfigMap(w: World, configMap: V1ConfigMap, blocked: Blocked): void {
  const name = configMap.metadata?.name ?? "";
  const foreign = w.foreign.find((o) => o.kind === "ConfigMap" && o.name === name);
  if (foreign !== undefined) {
    if (!w.foundConfigMaps.includes(foreign)) w.foundConfigMaps.push(foreign);
    blocked.set(name, `ConfigMap ${name} is not owned by this workflow`);
    return;
  }
  const refused = w.refuseConfigMap?.(configMap);
  if (refused !== undefined) {
    w.configMapCreateFailures[name] = refused;
    blocked.set(name, refused);
    return;
  }
  w.configMaps[name] ??= configMap;
}

/** Why the pod is not created yet (its ConfigMap is not ours, a delay, the quota), if it waits. */
function waitOf(w: World, pod: V1Pod, blocked: Blocked): string | undefined {
  const mounted = (pod.spec?.volumes ?? []).flatMap((v) => blocked.get(v.configMap?.name ?? "") ?? []);
  const refused = w.refuse?.(pod);
  return mounted[0] ?? w.delay?.(pod) ?? (refused?.includes("exceeded quota") ? refused : undefined);
}

function createPod(w: World, pod: V1Pod, blocked: Blocked): void {
  const name = pod.metadata?.name ?? "";
  const waiting = waitOf(w, pod, blocked);
  if (waiting !== undefined) {
    w.podsAwaitingCreate[name] = waiting;
    return;
  }
  const refused = w.refuse?.(pod);
  if (refused !== undefined) {
    w.podCreateFailures[name] = refused;
    return;
  }
  delete w.podsAwaitingCreate[name];
  if (!w.pods.some((p) => p.metadata?.name === pod.metadata?.name)) {
    w.pods.push({ ...structuredClone(pod), status: { phase: "Pending" } });
  }
}

function setFinalizer(meta: World["workflow"]["metadata"], finalizer: string, present: boolean): void {
  const others = (meta.finalizers ?? []).filter((f) => f !== finalizer);
  meta.finalizers = present ? [...others, finalizer] : others;
}

function apply(w: World, action: Action, blocked: Blocked): void {
  const meta = w.workflow.metadata;
  switch (action.kind) {
    case "createConfigMap":
      createConfigMap(w, action.configMap, blocked);
      return;
    case "createPod":
      createPod(w, action.pod, blocked);
      return;
    case "deletePod":
      w.pods = w.pods.filter((p) => p.metadata?.name !== action.name);
      return;
    case "labelPodCompleted":
      updatePod(w, action.name, (p) => {
        p.metadata = { ...p.metadata, labels: { ...p.metadata?.labels, [LABEL_COMPLETED]: "true" } };
      });
      return;
    case "addFinalizer":
    case "removeFinalizer":
      setFinalizer(meta, action.finalizer ?? FINALIZER, action.kind === "addFinalizer");
      return;
    default:
      return;
  }
}

function inputOf(w: World): ReconcileInput {
  return {
    workflow: structuredClone(w.workflow),
    pods: structuredClone(w.pods),
    now: w.now,
    config: w.config ?? { defaultServiceAccountName: "" },
    podCreateFailures: { ...w.podCreateFailures },
    podsAwaitingCreate: { ...w.podsAwaitingCreate },
    foreignObjects: structuredClone([...w.foreign.filter((o) => o.kind === "Pod"), ...w.foundConfigMaps]),
    configMapCreateFailures: { ...w.configMapCreateFailures },
    workflowTemplates: structuredClone(w.workflowTemplates),
    ...(w.statusTooLarge === undefined ? {} : { statusTooLarge: w.statusTooLarge }),
  };
}

/** One reconcile `advanceMs` after the previous one, its actions applied. */
export function step(w: World, advanceMs = 1000): ReconcileResult {
  if (w.last !== undefined) w.now = new Date(w.now.getTime() + advanceMs);
  const result = reconcile(inputOf(w));
  const labels = { ...w.workflow.metadata.labels, ...result.labels };
  w.workflow = { ...w.workflow, metadata: { ...w.workflow.metadata, labels }, status: result.status };
  const blocked: Blocked = new Map();
  for (const action of result.actions) apply(w, action, blocked);
  w.actions.push(...result.actions);
  w.last = result;
  assertFixedPoint(w, result);
  return result;
}

/**
 * The controller skips the watch event of its own status write (coordinator/caches.ts), so a pass
 * that touched no pod or ConfigMap must leave nothing for the next one: reconciling what it wrote,
 * at the same instant, gives the same status and no action. (A pass that created or deleted
 * something is followed by that object's own event.)
 */
function assertFixedPoint(w: World, result: ReconcileResult): void {
  const touchedObjects = result.actions.some(
    (a) => !["event", "addFinalizer", "removeFinalizer"].includes(a.kind),
  );
  if (touchedObjects) return;
  const again = reconcile(inputOf(w));
  const actions = again.actions.map((a) => a.kind);
  if (actions.length === 0 && isDeepStrictEqual(again.status, w.workflow.status)) return;
  throw new Error(
    `reconcile is not a fixed point: a second pass on its own result gives actions [${actions.join(", ")}]` +
      ` and status ${JSON.stringify(again.status)}\nafter ${JSON.stringify(w.workflow.status)}`,
  );
}

export function updatePod(w: World, name: string, change: (pod: V1Pod) => void): void {
  const pod = w.pods.find((p) => p.metadata?.name === name);
  if (pod === undefined)
    throw new Error(`no pod ${name}; pods: ${w.pods.map((p) => p.metadata?.name).join(", ")}`);
  change(pod);
}

export function podNames(w: World): string[] {
  return w.pods.map((p) => p.metadata?.name ?? "");
}

/** The pod of the node with that name. */
export function podOf(w: World, nodeName: string): V1Pod {
  const pod = w.pods.find((p) => p.metadata?.annotations?.[ANNOTATION_NODE_NAME] === nodeName);
  if (pod === undefined) throw new Error(`no pod for node ${nodeName}; pods: ${podNames(w).join(", ")}`);
  return pod;
}

export function node(w: World, nodeName: string): NodeStatus {
  const found = Object.values(w.workflow.status?.nodes ?? {}).find((n) => n.name === nodeName);
  if (found === undefined) throw new Error(`no node ${nodeName}; nodes: ${nodeNames(w).join(", ")}`);
  return found;
}

export function nodeNames(w: World): string[] {
  return Object.values(w.workflow.status?.nodes ?? {}).map((n) => n.name);
}

export function phases(w: World): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of Object.values(w.workflow.status?.nodes ?? {})) out[n.name] = n.phase;
  return out;
}

export function running(w: World, nodeName: string): void {
  updatePod(w, podOf(w, nodeName).metadata?.name ?? "", (pod) => {
    pod.spec = { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName: "node-1" };
    pod.status = { phase: "Running", containerStatuses: [mainStatus({ running: { startedAt: w.now } })] };
  });
}

function mainStatus(state: object): NonNullable<NonNullable<V1Pod["status"]>["containerStatuses"]>[number] {
  return { name: "main", image: "x", imageID: "", ready: false, restartCount: 0, state };
}

export interface ExitOptions {
  /** Store a sidecar report (default) or only the pod's own status. */
  report?: boolean;
  /** The report's uploaded artifacts and artifactError. */
  artifacts?: Pick<Report, "artifacts" | "artifactError">;
  outputs?: Record<string, string>;
  log?: string;
  /** logBytes larger than the tail: the tail is not the whole log. */
  logBytes?: number;
}

export function reportFor(pod: V1Pod, exitCode: number, at: Date, options: ExitOptions = {}): Report {
  const log = options.log ?? "";
  return {
    podName: pod.metadata?.name ?? "",
    podUid: "pod-uid",
    namespace: "default",
    exitCode,
    reason: exitCode === 0 ? "Completed" : "Error",
    startedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    logBytes: options.logBytes ?? Buffer.byteLength(log),
    logLines: log.split("\n").length - 1,
    logTail: log,
    outputs: Object.entries(options.outputs ?? {}).map(([name, value]) => ({ name, value })),
    ...options.artifacts,
  };
}

/** main exits with `exitCode`: a report on the pod (default) and/or main's terminated state. */
export function exit(w: World, nodeName: string, exitCode: number, options: ExitOptions = {}): void {
  const pod = podOf(w, nodeName);
  if (options.report !== false) {
    const report = JSON.stringify(reportFor(pod, exitCode, w.now, options));
    pod.metadata = {
      ...pod.metadata,
      annotations: { ...pod.metadata?.annotations, [ANNOTATION_REPORT]: report },
    };
    return;
  }
  const terminated = {
    exitCode,
    reason: exitCode === 0 ? "Completed" : "Error",
    startedAt: w.now,
    finishedAt: w.now,
  };
  pod.status = {
    phase: exitCode === 0 ? "Succeeded" : "Failed",
    containerStatuses: [mainStatus({ terminated })],
  };
}

export function succeed(w: World, ...nodeNames: string[]): void {
  for (const name of nodeNames) exit(w, name, 0);
}

export function fail(w: World, ...nodeNames: string[]): void {
  for (const name of nodeNames) exit(w, name, 1);
}

export function createdPods(result: ReconcileResult): V1Pod[] {
  return result.actions.flatMap((a) => (a.kind === "createPod" ? [a.pod] : []));
}

export function events(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => (a.kind === "event" ? [a.reason] : []));
}

export function kinds(actions: readonly Action[]): string[] {
  return actions.map((a) => a.kind);
}
