// A DAG template: each task runs as soon as its dependencies (and their exit hooks) are
// done and its `depends` holds; Omitted when it does not. The DAG's phase follows Argo's
// branch rule: a target that failed, or was omitted below a failure, fails the DAG.
import type { DagTask, NodePhase, NodeStatus, Template } from "../../common/types.ts";
import { isNodeDone } from "../../common/types.ts";
import type { Ctx, ExecRequest, Frame } from "./context.ts";
import { addChild, childFrame, finishNode, getNode, idOf, initNode, updateNode } from "./context.ts";
import type { DagPlan } from "./dag-plan.ts";
import { planDag } from "./dag-plan.ts";
import { evaluateDepends } from "./depends.ts";
import { runStepHook } from "./hooks.ts";
import type { InputValue } from "./inputs.ts";
import { initTemplateNode, templateScope } from "./inputs.ts";
import { outboundNodes } from "./outbound.ts";
import { nodeScope } from "./scope.ts";
import { continuesOn, startChild } from "./steps.ts";
import { templateOutputs } from "./template-outputs.ts";

interface Run {
  dag: NodeStatus;
  plan: DagPlan;
  scope: Record<string, string>;
  frame: Frame;
  phases: Record<string, NodePhase>;
  /** Tasks done, exit hook included: their dependants may start. */
  settled: Set<string>;
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

function start(ctx: Ctx, run: Run, task: DagTask): NodeStatus | undefined {
  const deps = run.plan.deps.get(task.name) ?? [];
  if (!deps.every((dep) => run.settled.has(dep))) return undefined;
  const nodeName = taskNodeName(run, task.name);
  const expr = run.plan.depends.get(task.name);
  let node: NodeStatus;
  if (expr !== undefined && !evaluateDepends(expr, run.phases, run.plan.continueOn)) {
    const message = "omitted: depends condition not met";
    node = initNode(ctx, {
      name: nodeName,
      type: "Skipped",
      templateName: task.template,
      boundaryID: run.dag.id,
      phase: "Omitted",
      message,
    });
  } else {
    node = startChild(ctx, { nodeName, boundaryID: run.dag.id, frame: run.frame, scope: run.scope }, task);
  }
  link(ctx, run, task, node.id);
  return node;
}

function visit(ctx: Ctx, run: Run, task: DagTask): void {
  const existing = getNode(ctx, taskNodeName(run, task.name));
  const node = existing !== undefined && isNodeDone(existing.phase) ? existing : start(ctx, run, task);
  if (node === undefined || !isNodeDone(node.phase)) return;
  run.phases[task.name] = node.phase;
  const hook = {
    step: task,
    stepNode: node,
    prefix: "tasks" as const,
    scope: run.scope,
    boundaryID: run.dag.id,
    frame: run.frame,
  };
  if (!runStepHook(ctx, hook)) return;
  run.settled.add(task.name);
  Object.assign(run.scope, nodeScope("tasks", task.name, node));
}

interface Branch {
  phase: NodePhase;
  message: string | undefined;
}

const failed = (phase: NodePhase): boolean => phase === "Failed" || phase === "Error";

const SUCCEEDED: Branch = { phase: "Succeeded", message: undefined };

function branchOf(ctx: Ctx, run: Run, task: DagTask, branches: ReadonlyMap<string, Branch>): Branch {
  const node = getNode(ctx, taskNodeName(run, task.name));
  if (node !== undefined && (node.phase === "Succeeded" || failed(node.phase))) {
    return { phase: node.phase, message: node.message };
  }
  const parents = (run.plan.deps.get(task.name) ?? []).map((dep) => branches.get(dep));
  return parents.find((b) => b !== undefined && failed(b.phase)) ?? SUCCEEDED;
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
    if (failed(branch.phase) && !continuesOn(task, branch.phase)) return branch;
  }
  return SUCCEEDED;
}

export function executeDag(
  ctx: Ctx,
  req: ExecRequest,
  template: Template,
  inputs: readonly InputValue[],
): NodeStatus {
  const dag = initTemplateNode(ctx, req, { type: "DAG", phase: "Running" }, inputs);
  const plan = planDag(template);
  if (!plan.ok) return finishNode(ctx, dag.id, "Error", plan.error);
  const run: Run = {
    dag,
    plan: plan.value,
    scope: templateScope(req.frame.globals(), inputs),
    frame: childFrame(req.frame),
    phases: {},
    settled: new Set(),
  };
  for (const task of plan.value.order) {
    if (plan.value.needed.has(task.name)) visit(ctx, run, task);
  }
  const id = idOf(ctx, req.nodeName);
  if (![...plan.value.needed].every((name) => run.settled.has(name))) return ctx.nodes[id] as NodeStatus;
  const branch = assess(ctx, run);
  if (branch.phase !== "Succeeded") return finishNode(ctx, id, branch.phase, branch.message);
  const outputs = templateOutputs(ctx, template, run.scope);
  if (!outputs.ok) return finishNode(ctx, id, "Error", outputs.error);
  if (outputs.value !== undefined) updateNode(ctx, id, { outputs: outputs.value });
  return finishNode(ctx, id, "Succeeded");
}
