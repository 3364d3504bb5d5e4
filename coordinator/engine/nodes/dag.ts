// A DAG template: each task runs as soon as its dependencies (and their exit hooks) are
// done and its `depends` holds; Omitted when it does not. The DAG's phase follows Argo's
// branch rule: a target that failed, or was omitted below a failure, fails the DAG. With
// failFast (dag-fail-fast.ts) a failure stops new tasks and the DAG ends once the started ones have.
import type { DagTask, NodePhase, NodeStatus, Template } from "../workflow.ts";
import { isNodeDone, isNodeFailed } from "../workflow.ts";
import type { Ctx, ExecRequest, Frame, InputValue, RunTemplate, TemplateCall } from "../context.ts";
import {
  addChild,
  checkpoint,
  childFrame,
  childNodes,
  finishNode,
  getNode,
  idOf,
  initNode,
  updateNode,
} from "../context.ts";
import type { Halt } from "./dag-fail-fast.ts";
import { failsFast, haltOf } from "./dag-fail-fast.ts";
import type { DagPlan } from "./dag-plan.ts";
import { planDag, substitutedDag } from "./dag-plan.ts";
import { evaluateDepends } from "../expr/depends.ts";
import { runStepHook } from "./hooks.ts";
import { initTemplateNode, templateScope } from "./inputs.ts";
import type { Iteration } from "./loops.ts";
import { expandLoop, isLooped, iterationsOf } from "./loops.ts";
import { outboundNodes } from "./outbound.ts";
import type { StartGate } from "./parallelism.ts";
import { startGate } from "./parallelism.ts";
import { loopScope, nodeScope } from "../scope.ts";
import { continuesOn, skippedEmptyLoop, startChild } from "./child.ts";
import { templateOutputs } from "./template-outputs.ts";

interface Run {
  dag: NodeStatus;
  plan: DagPlan;
  scope: Record<string, string>;
  frame: Frame;
  /** The DAG template's parallelism: tasks and loop items under this DAG node count together, as in Argo. */
  gate: StartGate;
  phases: Record<string, NodePhase>;
  /** A looped task's items' phases, for `depends` on `.AnySucceeded` / `.AllFailed`. */
  itemPhases: Record<string, NodePhase[]>;
  /** Tasks done, exit hook included: their dependants may start. */
  settled: Set<string>;
  failFast: boolean;
  /** The failure that stops new tasks (failFast), once one is known. */
  halt: Halt | undefined;
  /** A task that was already there failed in this pass: tasks started before it in this pass must not have been. */
  haltedMidway: boolean;
  runTemplate: RunTemplate;
}

function taskNodeName(run: Run, task: string): string {
  return `${run.dag.name}.${task}`;
}

function link(ctx: Ctx, run: Run, task: DagTask, childId: string): void {
  const deps = run.plan.deps.get(task.name) ?? [];
  if (deps.length === 0) return addChild(ctx, run.dag.id, childId);
  for (const dep of deps) {
    const depNode = getNode(ctx, taskNodeName(run, dep));
    if (depNode === undefined) continue;
    for (const out of outboundNodes(ctx, depNode.id)) addChild(ctx, out, childId);
  }
}

/** The node for a loop whose list cannot be made: Error, as Argo marks it. */
function loopError(ctx: Ctx, run: Run, task: DagTask, message: string): NodeStatus {
  const spec = { name: taskNodeName(run, task.name), type: "Skipped", templateName: task.template } as const;
  const node = initNode(ctx, { ...spec, boundaryID: run.dag.id, phase: "Error", message });
  return finishNode(ctx, node.id, "Error", message);
}

/** Runs one item of a looped task, then its exit hook; the item's node once both are done. */
function runItem(
  ctx: Ctx,
  run: Run,
  group: NodeStatus,
  iteration: Iteration<DagTask>,
): NodeStatus | undefined {
  const { scope, frame, runTemplate } = run;
  const boundaryID = run.dag.id;
  const { name, step } = iteration;
  const at = { nodeName: `${run.dag.name}.${name}`, boundaryID, frame, scope, gate: run.gate, runTemplate };
  const item = startChild(ctx, at, step);
  if (item === undefined) return undefined;
  addChild(ctx, group.id, item.id);
  if (!isNodeDone(item.phase)) return undefined;
  const hook = { step, stepNode: item, prefix: "tasks" as const, scope, boundaryID, frame, runTemplate };
  return runStepHook(ctx, hook) ? item : undefined;
}

/**
 * A looped task is a TaskGroup node with one child per item, `<task>(<i>:<label>)`, each with
 * its own exit hook. It ends when they all have: Succeeded, or the phase of the last item that
 * failed (Argo ignores continueOn here; the DAG applies it to the group).
 */
function startLoop(ctx: Ctx, run: Run, task: DagTask): NodeStatus {
  const nodeName = taskNodeName(run, task.name);
  const existing = getNode(ctx, nodeName);
  if (existing !== undefined && isNodeDone(existing.phase)) return existing;
  const iterations = expandLoop(task, run.scope);
  if (!iterations.ok) return loopError(ctx, run, task, iterations.error);
  if (iterations.value.length === 0) return skippedEmptyLoop(ctx, nodeName, task, run.dag.id);
  const spec = { name: nodeName, type: "TaskGroup", templateName: task.template } as const;
  const group = initNode(ctx, { ...spec, boundaryID: run.dag.id, phase: "Running" });
  const items = iterations.value.map((iteration) => runItem(ctx, run, group, iteration));
  if (items.some((item) => item === undefined)) return ctx.nodes[group.id] as NodeStatus;
  const failedItem = items.findLast((item) => item !== undefined && isNodeFailed(item.phase));
  return finishNode(ctx, group.id, failedItem?.phase ?? "Succeeded", failedItem?.message);
}

/** What dependants see of a task: its node, or for a loop the aggregate of its items. */
function taskScope(ctx: Ctx, task: DagTask, node: NodeStatus): Record<string, string> {
  if (node.type !== "TaskGroup") return nodeScope("tasks", task.name, node);
  return loopScope("tasks", task.name, node, itemsOf(ctx, node));
}

function itemsOf(ctx: Ctx, group: NodeStatus): NodeStatus[] {
  return iterationsOf(group.name, childNodes(ctx, group));
}

/** A looped task's items' phases, for `depends` on `.AnySucceeded` / `.AllFailed`; {} for any other task. */
function itemPhasesOf(ctx: Ctx, task: DagTask, node: NodeStatus): Record<string, NodePhase[]> {
  return node.type === "TaskGroup" ? { [task.name]: itemsOf(ctx, node).map((item) => item.phase) } : {};
}

function start(ctx: Ctx, run: Run, task: DagTask): NodeStatus | undefined {
  const deps = run.plan.deps.get(task.name) ?? [];
  if (!deps.every((dep) => run.settled.has(dep))) return undefined;
  const nodeName = taskNodeName(run, task.name);
  const expr = run.plan.depends.get(task.name);
  let node: NodeStatus;
  const omit = expr !== undefined && !evaluateDepends(expr, run.phases, run.plan.continueOn, run.itemPhases);
  // A halt stops new tasks only: started ones are followed to their end, and omitting starts
  // nothing (the DAG's branch rule reads it).
  if (run.halt !== undefined && !omit && getNode(ctx, nodeName) === undefined) return undefined;
  if (omit) {
    const message = "omitted: depends condition not met";
    node = initNode(ctx, {
      name: nodeName,
      type: "Skipped",
      templateName: task.template,
      boundaryID: run.dag.id,
      phase: "Omitted",
      message,
    });
  } else if (isLooped(task)) {
    node = startLoop(ctx, run, task);
  } else {
    const at = {
      nodeName,
      boundaryID: run.dag.id,
      frame: run.frame,
      scope: run.scope,
      gate: run.gate,
      runTemplate: run.runTemplate,
    };
    const started = startChild(ctx, at, task);
    if (started === undefined) return undefined;
    node = started;
  }
  link(ctx, run, task, node.id);
  return node;
}

function noteHalt(run: Run, task: DagTask, node: NodeStatus, existed: boolean): void {
  if (!run.failFast || run.halt !== undefined) return;
  run.halt = haltOf(run.plan, task, node, run.itemPhases);
  run.haltedMidway = run.halt !== undefined && existed;
}

function visit(ctx: Ctx, run: Run, task: DagTask): void {
  const existing = getNode(ctx, taskNodeName(run, task.name));
  const node = existing !== undefined && isNodeDone(existing.phase) ? existing : start(ctx, run, task);
  if (node === undefined || !isNodeDone(node.phase)) return;
  run.phases[task.name] = node.phase;
  Object.assign(run.itemPhases, itemPhasesOf(ctx, task, node));
  noteHalt(run, task, node, existing !== undefined);
  const hook = {
    step: task,
    stepNode: node,
    prefix: "tasks" as const,
    scope: run.scope,
    boundaryID: run.dag.id,
    frame: run.frame,
    runTemplate: run.runTemplate,
  };
  // A looped task's exit hook ran for each item, inside its TaskGroup.
  if (node.type !== "TaskGroup" && !runStepHook(ctx, hook)) return;
  run.settled.add(task.name);
  Object.assign(run.scope, taskScope(ctx, task, node));
}

interface Branch {
  phase: NodePhase;
  message: string | undefined;
}

const SUCCEEDED: Branch = { phase: "Succeeded", message: undefined };

function branchOf(ctx: Ctx, run: Run, task: DagTask, branches: ReadonlyMap<string, Branch>): Branch {
  const node = getNode(ctx, taskNodeName(run, task.name));
  if (node !== undefined && (node.phase === "Succeeded" || isNodeFailed(node.phase))) {
    return { phase: node.phase, message: node.message };
  }
  const parents = (run.plan.deps.get(task.name) ?? []).map((dep) => branches.get(dep));
  return parents.find((b) => b !== undefined && isNodeFailed(b.phase)) ?? SUCCEEDED;
}

/** Argo's assessDAGPhase: skipped and omitted tasks inherit their dependencies' outcome, failures first. */
function assess(ctx: Ctx, run: Run): Branch {
  const branches = new Map<string, Branch>();
  for (const task of run.plan.order) {
    if (run.plan.needed.has(task.name)) branches.set(task.name, branchOf(ctx, run, task, branches));
  }
  for (const task of run.plan.order) {
    const branch = branches.get(task.name);
    if (!run.plan.targets.includes(task.name) || branch === undefined) continue;
    if (isNodeFailed(branch.phase) && !continuesOn(task, branch.phase)) return branch;
  }
  return SUCCEEDED;
}

/** The fail-fast halt the status already shows: a task that failed in an earlier pass. */
function earlierHalt(ctx: Ctx, run: Run): Halt | undefined {
  if (!run.failFast) return undefined;
  for (const task of run.plan.order) {
    const node = getNode(ctx, taskNodeName(run, task.name));
    if (!run.plan.needed.has(task.name) || node === undefined || !isNodeDone(node.phase)) continue;
    const halt = haltOf(run.plan, task, node, itemPhasesOf(ctx, task, node));
    if (halt !== undefined) return halt;
  }
  return undefined;
}

interface Dag {
  node: NodeStatus;
  plan: DagPlan;
  template: Template;
  req: ExecRequest;
  inputs: readonly InputValue[];
  runTemplate: RunTemplate;
}

/** One pass over the needed tasks, dependencies first; `halt` when it is already known to apply. */
function passOverTasks(ctx: Ctx, dag: Dag, halt?: Halt): Run {
  const frame = childFrame(dag.req.frame);
  const run: Run = {
    dag: dag.node,
    plan: dag.plan,
    scope: templateScope(dag.req.frame.globals(), dag.inputs),
    frame,
    gate: startGate(ctx, dag.node.id, dag.template, frame),
    phases: {},
    itemPhases: {},
    settled: new Set(),
    failFast: failsFast(dag.template),
    halt: undefined,
    haltedMidway: false,
    runTemplate: dag.runTemplate,
  };
  run.halt = halt ?? earlierHalt(ctx, run);
  for (const task of dag.plan.order) {
    if (dag.plan.needed.has(task.name)) visit(ctx, run, task);
  }
  return run;
}

/** Whether the DAG still waits: for every needed task, or after a halt only for those already started. */
function waiting(ctx: Ctx, run: Run): boolean {
  return [...run.plan.needed].some(
    (name) =>
      !run.settled.has(name) &&
      (run.halt === undefined || getNode(ctx, taskNodeName(run, name)) !== undefined),
  );
}

/** Runs a DAG node; its tasks are templates again, run by `runTemplate`. */
export function executeDag(ctx: Ctx, call: TemplateCall, runTemplate: RunTemplate): NodeStatus {
  const { req, template, inputs } = call;
  const dag = initTemplateNode(ctx, req, { type: "DAG", phase: "Running" }, inputs);
  const shaped = substitutedDag(template, templateScope(req.frame.globals(), inputs));
  if (!shaped.ok) return finishNode(ctx, dag.id, "Error", shaped.error);
  const plan = planDag(shaped.value);
  if (!plan.ok) return finishNode(ctx, dag.id, "Error", plan.error);
  const at: Dag = { node: dag, plan: plan.value, template: shaped.value, req, inputs, runTemplate };
  const restore = failsFast(template) ? checkpoint(ctx) : undefined;
  let run = passOverTasks(ctx, at);
  // What a pass starts must not depend on where the failed task is in the order: start over, halted.
  if (run.haltedMidway && restore !== undefined) {
    restore();
    run = passOverTasks(ctx, at, run.halt);
  }
  const id = idOf(ctx, req.nodeName);
  if (waiting(ctx, run)) return ctx.nodes[id] as NodeStatus;
  const assessed = assess(ctx, run);
  const branch = assessed.phase === "Succeeded" && run.halt !== undefined ? run.halt : assessed;
  if (branch.phase !== "Succeeded") return finishNode(ctx, id, branch.phase, branch.message);
  const outputs = templateOutputs(ctx, template, run.scope);
  if (!outputs.ok) return finishNode(ctx, id, "Error", outputs.error);
  if (outputs.value !== undefined) updateNode(ctx, id, { outputs: outputs.value });
  return finishNode(ctx, id, "Succeeded");
}
