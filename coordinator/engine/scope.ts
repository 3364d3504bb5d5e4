// The variables steps and exit handlers see, named and formatted as Argo's controller sets
// them (workflow/controller/operator.go setGlobalParameters, buildLocalScope, and the
// failures list built when the entry node completes).
import { podName } from "../../common/names.ts";
import type { NodeStatus, Parameter, Workflow } from "./workflow.ts";
import { goJson } from "./expr/go-json.ts";
import { normaliseTimestamp, rfc3339, strftimeAll } from "./expr/strftime.ts";

export interface Failure {
  displayName: string;
  message: string;
  templateName: string;
  phase: string;
  podName: string;
  finishedAt: string;
}

export interface WorkflowFacts {
  phase: "Succeeded" | "Failed" | "Error" | "Running";
  startedAt: string | undefined;
  nodes: Readonly<Record<string, NodeStatus>>;
  globalOutputs: Readonly<Record<string, string>>;
}

const ANNOTATION_SCHEDULED_TIME = "workflows.argoproj.io/scheduled-time";

function finishedAtMillis(node: NodeStatus): number {
  const time = node.finishedAt === undefined ? Number.NaN : Date.parse(node.finishedAt);
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

/**
 * Every node in Failed or Error, of any type, as Argo lists them (its failedNodeStatus,
 * fields in that order). Argo walks a Go map, so its order is random; here it is by
 * finishedAt (unfinished last), then the order of `nodes`. `podName` is the node's pod
 * if recorded, else the name Argo would give it (needs `workflowName`), else "".
 * Always a list, [] when none.
 */
export function failures(nodes: Readonly<Record<string, NodeStatus>>, workflowName?: string): Failure[] {
  const failed = Object.values(nodes).filter((node) => node.phase === "Failed" || node.phase === "Error");
  const ordered = failed
    .map((node, index) => ({ node, index, finished: finishedAtMillis(node) }))
    .sort((a, b) => (a.finished === b.finished ? a.index - b.index : a.finished < b.finished ? -1 : 1));
  return ordered.map(({ node }) => ({
    displayName: node.displayName,
    message: node.message ?? "",
    templateName: node.templateName,
    phase: node.phase,
    podName:
      node.podName ?? (workflowName === undefined ? "" : podName(workflowName, node.name, node.templateName)),
    finishedAt: node.finishedAt === undefined ? "" : normaliseTimestamp(node.finishedAt),
  }));
}

/** Go's json.Marshal of a map: keys sorted. Absent maps give `{}` rather than Go's `null`. */
function jsonMap(map: Readonly<Record<string, string>> | undefined): string {
  const sorted = Object.fromEntries(
    Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify(sorted);
}

/** A parameter with its keys in the order of Argo's Parameter struct. */
function parameterJson(parameter: Parameter): Record<string, unknown> {
  const { name, default: fallback, value, valueFrom, globalName, enum: choices, ...rest } = parameter;
  const ordered = { name, default: fallback, value, valueFrom, globalName, enum: choices, ...rest };
  return Object.fromEntries(Object.entries(ordered).filter(([, item]) => item !== undefined && item !== ""));
}

function parameterScope(parameters: readonly Parameter[]): Record<string, string> {
  const json = JSON.stringify(parameters.map(parameterJson));
  const scope: Record<string, string> = { "workflow.parameters": json, "workflow.parameters.json": json };
  for (const parameter of parameters) {
    const value = parameter.value ?? parameter.default ?? parameter.valueFrom?.default;
    if (value !== undefined) scope[`workflow.parameters.${parameter.name}`] = String(value);
  }
  return scope;
}

function prefixed(prefix: string, map: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) scope[`${prefix}.${key}`] = value;
  return scope;
}

function creationScope(creationTimestamp: string | undefined): Record<string, string> {
  const time = creationTimestamp === undefined ? undefined : new Date(creationTimestamp);
  if (time === undefined || Number.isNaN(time.getTime())) return {};
  const text = rfc3339(time);
  return {
    "workflow.creationTimestamp": text,
    "workflow.creationTimestamp.RFC3339": text,
    "workflow.creationTimestamp.s": String(Math.floor(time.getTime() / 1000)),
    ...prefixed("workflow.creationTimestamp", strftimeAll(time)),
  };
}

/** Go's `fmt.Sprintf("%f", seconds)`: six decimals; 0 before the workflow started. */
function durationSeconds(startedAt: string | undefined, now: Date): string {
  const started = startedAt === undefined ? Number.NaN : Date.parse(startedAt);
  const seconds = Number.isNaN(started) ? 0 : (now.getTime() - started) / 1000;
  return seconds.toFixed(6);
}

function metadataScope(workflow: Workflow): Record<string, string> {
  const { labels, annotations } = workflow.metadata;
  const scope: Record<string, string> = {
    "workflow.labels": jsonMap(labels),
    "workflow.labels.json": jsonMap(labels),
    "workflow.annotations": jsonMap(annotations),
    "workflow.annotations.json": jsonMap(annotations),
    ...prefixed("workflow.labels", labels),
    ...prefixed("workflow.annotations", annotations),
  };
  const scheduled = annotations?.[ANNOTATION_SCHEDULED_TIME];
  if (scheduled !== undefined) scope["workflow.scheduledTime"] = scheduled;
  return scope;
}

/** Every `workflow.*` variable: identity, status, failures, duration, parameters, outputs, metadata. */
export function workflowScope(workflow: Workflow, facts: WorkflowFacts, now: Date): Record<string, string> {
  const { metadata, spec } = workflow;
  const name = metadata.name ?? "";
  const scope: Record<string, string> = {
    "workflow.name": name,
    "workflow.namespace": metadata.namespace ?? "",
    "workflow.uid": metadata.uid ?? "",
    "workflow.mainEntrypoint": spec.entrypoint ?? "",
    "workflow.serviceAccountName": spec.serviceAccountName ?? "",
    ...creationScope(metadata.creationTimestamp),
    ...metadataScope(workflow),
    ...parameterScope(spec.arguments?.parameters ?? []),
    ...prefixed("workflow.outputs.parameters", facts.globalOutputs),
    "workflow.status": facts.phase,
    "workflow.duration": durationSeconds(facts.startedAt, now),
    "workflow.failures": JSON.stringify(failures(facts.nodes, name)),
  };
  const priority = spec["priority"];
  if (typeof priority === "number") scope["workflow.priority"] = String(Math.trunc(priority));
  return scope;
}

/**
 * `${prefix}.${name}.*` for a step/task node, only keys whose values exist: id, status,
 * startedAt/finishedAt (RFC3339), hostNodeName, exitCode, outputs.result,
 * outputs.parameters.<p>, and outputs.parameters as a JSON object of name → value.
 * For a Retry node pass its last attempt, as Argo does.
 */
export function nodeScope(prefix: "steps" | "tasks", name: string, node: NodeStatus): Record<string, string> {
  const facts: Record<string, string | undefined> = {
    id: node.id === "" ? undefined : node.id,
    status: node.phase,
    startedAt: node.startedAt === undefined ? undefined : normaliseTimestamp(node.startedAt),
    finishedAt: node.finishedAt === undefined ? undefined : normaliseTimestamp(node.finishedAt),
    hostNodeName: node.hostNodeName === "" ? undefined : node.hostNodeName,
    exitCode: node.outputs?.exitCode === undefined ? undefined : String(node.outputs.exitCode),
    "outputs.result": node.outputs?.result,
    ...outputParameters(node),
    ...outputArtifacts(node),
  };
  const scope: Record<string, string> = {};
  for (const [suffix, value] of Object.entries(facts)) {
    if (value !== undefined) scope[`${prefix}.${name}.${suffix}`] = value;
  }
  return scope;
}

function outputValues(node: NodeStatus): Record<string, string> {
  const values: Record<string, string> = {};
  for (const parameter of node.outputs?.parameters ?? []) {
    if (parameter.value !== undefined) values[parameter.name] = String(parameter.value);
  }
  return values;
}

/** `outputs.artifacts.<name>`: the recorded artifact as JSON, what an argument's `from` hands on
 * (nodes/artifact-inputs.ts reads its `s3.key`). */
function outputArtifacts(node: NodeStatus): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const artifact of node.outputs?.artifacts ?? [])
    scope[`outputs.artifacts.${artifact.name}`] = JSON.stringify(artifact);
  return scope;
}

function outputParameters(node: NodeStatus): Record<string, string> {
  const values = outputValues(node);
  if (Object.keys(values).length === 0) return {};
  return { ...prefixed("outputs.parameters", values), "outputs.parameters": JSON.stringify(values) };
}

/** A loop's `outputs.result` entry: the iteration's result as JSON, or as a string when it is not JSON. */
function resultItem(result: string): unknown {
  try {
    return JSON.parse(result) as unknown;
  } catch {
    return result;
  }
}

/** Argo's aggregatedJSONValueList: the parsed values when every one is a JSON object or list, else the strings. */
function aggregatedValues(values: readonly string[]): string {
  const parsed = values.map(resultItem);
  const structured = parsed.every((value) => value !== null && typeof value === "object");
  return goJson(structured ? parsed : values);
}

/**
 * `${prefix}.${name}.*` for a looped step or task (Argo's processAggregateNodeOutputs): id,
 * status and times of `parent` (the TaskGroup; for steps the StepGroup, as Argo does), and
 * over the iterations that succeeded, in item order: `outputs.result`, a JSON list of their
 * results; `outputs.parameters`, a list of their name → value maps; and
 * `outputs.parameters.<p>`, the list of that parameter's values.
 */
export function loopScope(
  prefix: "steps" | "tasks",
  name: string,
  parent: NodeStatus,
  iterations: readonly NodeStatus[],
): Record<string, string> {
  const scope = nodeScope(prefix, name, parent);
  if (iterations.length === 0) return scope;
  const results: unknown[] = [];
  const maps: Record<string, string>[] = [];
  const byName = new Map<string, string[]>();
  for (const node of iterations) {
    if (node.phase !== "Succeeded" || node.outputs === undefined) continue;
    const values = Object.entries(outputValues(node));
    if (values.length > 0) maps.push(Object.fromEntries(values));
    for (const [parameter, value] of values) byName.set(parameter, [...(byName.get(parameter) ?? []), value]);
    if (node.outputs.result !== undefined) results.push(resultItem(node.outputs.result));
  }
  scope[`${prefix}.${name}.outputs.result`] = goJson(results);
  scope[`${prefix}.${name}.outputs.parameters`] = goJson(maps);
  for (const [parameter, values] of byName)
    scope[`${prefix}.${name}.outputs.parameters.${parameter}`] = aggregatedValues(values);
  return scope;
}
