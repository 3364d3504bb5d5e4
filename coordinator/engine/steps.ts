// A steps template: groups run in order, the steps of a group in parallel. A group is done
// when all its steps and their exit hooks are; a failed step fails it unless continueOn.
import { substitute, substituteDeep } from "../../common/template.ts";
import type { Scope } from "../../common/template.ts";
import type { NodeStatus, Template, WorkflowStep } from "../../common/types.ts";
import { isNodeDone } from "../../common/types.ts";
import type { Ctx, ExecRequest, Frame } from "./context.ts";
import {
  addChild,
  childFrame,
  finishNode,
  getNode,
  idOf,
  initNode,
  keepUnresolved,
  updateNode,
} from "./context.ts";
import { runStepHook } from "./hooks.ts";
import type { InputValue } from "./inputs.ts";
import { initTemplateNode, templateScope } from "./inputs.ts";
import { outboundNodes } from "./outbound.ts";
import { nodeScope } from "./scope.ts";
import { templateOutputs } from "./template-outputs.ts";
import { evaluateWhen } from "./when.ts";

export function continuesOn(
  step: { continueOn?: WorkflowStep["continueOn"] },
  phase: NodeStatus["phase"],
): boolean {
  if (phase === "Failed") return step.continueOn?.failed === true;
  if (phase === "Error") return step.continueOn?.error === true;
  return true;
}

export interface Child {
  nodeName: string;
  boundaryID: string;
  frame: Frame;
  scope: Scope;
}

function failedChild(ctx: Ctx, at: Child, step: WorkflowStep, message: string): NodeStatus {
  const type = step.when === undefined || step.when === "" ? "Pod" : "Skipped";
  const spec = { name: at.nodeName, type, templateName: step.template, boundaryID: at.boundaryID } as const;
  const node = initNode(ctx, { ...spec, phase: "Error", message });
  return finishNode(ctx, node.id, "Error", message);
}

/** Evaluates `when`, substitutes the arguments and runs a step or DAG task as a child node. */
export function startChild(ctx: Ctx, at: Child, step: WorkflowStep): NodeStatus {
  const existing = getNode(ctx, at.nodeName);
  if (existing !== undefined && isNodeDone(existing.phase)) return existing;
  if (step.when !== undefined && step.when !== "") {
    const text = substitute(step.when, at.scope, keepUnresolved);
    if (!text.ok) return failedChild(ctx, at, step, `when: ${text.error}`);
    const proceed = evaluateWhen(text.value);
    if (!proceed.ok) return failedChild(ctx, at, step, proceed.error);
    if (!proceed.value) {
      const message = `when '${text.value}' evaluated false`;
      return initNode(ctx, {
        name: at.nodeName,
        type: "Skipped",
        templateName: step.template,
        boundaryID: at.boundaryID,
        phase: "Skipped",
        message,
      });
    }
  }
  const args = substituteDeep(step.arguments ?? {}, at.scope, keepUnresolved);
  if (!args.ok) return failedChild(ctx, at, step, args.error);
  return ctx.execute(ctx, {
    nodeName: at.nodeName,
    templateName: step.template,
    args: args.value,
    boundaryID: at.boundaryID,
    frame: at.frame,
  });
}

interface Group {
  steps: WorkflowStep[];
  name: string;
  boundaryID: string;
  scope: Scope;
  frame: Frame;
}

function groupDone(ctx: Ctx, group: Group): boolean {
  let done = true;
  for (const step of group.steps) {
    const stepNode = getNode(ctx, `${group.name}.${step.name}`);
    if (stepNode === undefined || !isNodeDone(stepNode.phase)) {
      done = false;
      continue;
    }
    const hookReq = {
      step,
      stepNode,
      prefix: "steps" as const,
      scope: group.scope,
      boundaryID: group.boundaryID,
      frame: group.frame,
    };
    if (!runStepHook(ctx, hookReq)) done = false;
  }
  return done;
}

function executeGroup(ctx: Ctx, group: Group): NodeStatus {
  const sg = getNode(ctx, group.name) as NodeStatus;
  if (isNodeDone(sg.phase)) return sg;
  for (const step of group.steps) {
    const at: Child = {
      nodeName: `${group.name}.${step.name}`,
      boundaryID: group.boundaryID,
      frame: group.frame,
      scope: group.scope,
    };
    const child = startChild(ctx, at, step);
    addChild(ctx, sg.id, child.id);
  }
  if (!groupDone(ctx, group)) return ctx.nodes[sg.id] as NodeStatus;
  for (const step of group.steps) {
    const child = getNode(ctx, `${group.name}.${step.name}`) as NodeStatus;
    if ((child.phase === "Failed" || child.phase === "Error") && !continuesOn(step, child.phase)) {
      return finishNode(ctx, sg.id, "Failed", child.message ?? `child '${child.id}' failed`);
    }
  }
  return finishNode(ctx, sg.id, "Succeeded");
}

function linkGroup(ctx: Ctx, stepsNode: NodeStatus, index: number, sgId: string): void {
  if (index === 0) return addChild(ctx, stepsNode.id, sgId);
  const prev = getNode(ctx, `${stepsNode.name}[${index - 1}]`);
  const children = prev?.children ?? [];
  if (prev !== undefined && children.length === 0) return addChild(ctx, prev.id, sgId);
  for (const child of children) for (const out of outboundNodes(ctx, child)) addChild(ctx, out, sgId);
}

export function executeSteps(
  ctx: Ctx,
  req: ExecRequest,
  template: Template,
  inputs: readonly InputValue[],
): NodeStatus {
  const node = initTemplateNode(ctx, req, { type: "Steps", phase: "Running" }, inputs);
  const scope = templateScope(req.frame.globals(), inputs);
  const frame = childFrame(req.frame);
  const groups = template.steps ?? [];
  for (const [index, steps] of groups.entries()) {
    const name = `${req.nodeName}[${index}]`;
    initNode(ctx, {
      name,
      type: "StepGroup",
      templateName: req.templateName,
      boundaryID: node.id,
      phase: "Running",
    });
    linkGroup(ctx, node, index, idOf(ctx, name));
    const sg = executeGroup(ctx, { steps, name, boundaryID: node.id, scope, frame });
    if (!isNodeDone(sg.phase)) return ctx.nodes[node.id] as NodeStatus;
    if (sg.phase !== "Succeeded") return finishNode(ctx, node.id, "Failed", sg.message);
    for (const step of steps) {
      const child = getNode(ctx, `${name}.${step.name}`);
      if (child !== undefined) Object.assign(scope, nodeScope("steps", step.name, child));
    }
  }
  const outputs = templateOutputs(ctx, template, scope);
  if (!outputs.ok) return finishNode(ctx, node.id, "Error", outputs.error);
  if (outputs.value !== undefined) updateNode(ctx, node.id, { outputs: outputs.value });
  return finishNode(ctx, node.id, "Succeeded");
}
