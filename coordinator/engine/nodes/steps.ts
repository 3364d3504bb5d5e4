// A steps template: groups run in order, the steps of a group in parallel. A group is done
// when all its steps and their exit hooks are; a failed step fails it unless continueOn.
import type { Resolved, Scope } from "../expr/template.ts";
import type { NodeStatus, WorkflowStep } from "../workflow.ts";
import { isNodeDone, isNodeFailed } from "../workflow.ts";
import type { Ctx, Frame, RunTemplate, TemplateCall } from "../context.ts";
import {
  addChild,
  childFrame,
  childNodes,
  finishNode,
  getNode,
  idOf,
  initNode,
  updateNode,
} from "../context.ts";
import type { Child } from "./child.ts";
import { continuesOn, skippedEmptyLoop, startChild } from "./child.ts";
import { runStepHook } from "./hooks.ts";
import { initTemplateNode, templateScope } from "./inputs.ts";
import { expandLoop, isLooped, iterationsOf } from "./loops.ts";
import { outboundNodes } from "./outbound.ts";
import type { StartGate } from "./parallelism.ts";
import { startGate } from "./parallelism.ts";
import { loopScope, nodeScope } from "../scope.ts";
import { templateOutputs } from "./template-outputs.ts";

interface Group {
  steps: WorkflowStep[];
  name: string;
  boundaryID: string;
  scope: Scope;
  frame: Frame;
  /** The steps template's parallelism, counted over the whole steps node as Argo does. */
  gate: StartGate;
  runTemplate: RunTemplate;
}

/** A node a group runs: a step, one item of a looped step, or a looped step with no items. */
interface Member {
  nodeName: string;
  /** For a loop's item: the step with that item substituted. */
  step: WorkflowStep;
  emptyLoop: boolean;
}

/** Argo expands loops in place: each item is a sibling `<step>(<i>:<label>)` in the group. */
function membersOf(group: Group): Resolved<Member[]> {
  const members: Member[] = [];
  for (const step of group.steps) {
    const nodeName = `${group.name}.${step.name}`;
    if (!isLooped(step)) {
      members.push({ nodeName, step, emptyLoop: false });
      continue;
    }
    const iterations = expandLoop(step, group.scope);
    if (!iterations.ok) return iterations;
    if (iterations.value.length === 0) members.push({ nodeName, step, emptyLoop: true });
    for (const iteration of iterations.value) {
      members.push({ nodeName: `${group.name}.${iteration.name}`, step: iteration.step, emptyLoop: false });
    }
  }
  return { ok: true, value: members };
}

function startMember(ctx: Ctx, group: Group, member: Member): NodeStatus | undefined {
  if (member.emptyLoop) return skippedEmptyLoop(ctx, member.nodeName, member.step, group.boundaryID);
  const at: Child = {
    nodeName: member.nodeName,
    boundaryID: group.boundaryID,
    frame: group.frame,
    scope: group.scope,
    gate: group.gate,
    runTemplate: group.runTemplate,
  };
  return startChild(ctx, at, member.step);
}

function groupDone(ctx: Ctx, group: Group, members: readonly Member[]): boolean {
  let done = true;
  for (const { nodeName, step } of members) {
    const stepNode = getNode(ctx, nodeName);
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
      runTemplate: group.runTemplate,
    };
    if (!runStepHook(ctx, hookReq)) done = false;
  }
  return done;
}

function executeGroup(ctx: Ctx, group: Group): NodeStatus {
  const sg = getNode(ctx, group.name) as NodeStatus;
  if (isNodeDone(sg.phase)) return sg;
  const members = membersOf(group);
  // As Argo: a list that cannot be made errors the whole group, before any step starts.
  if (!members.ok) return finishNode(ctx, sg.id, "Error", members.error);
  for (const member of members.value) {
    // Members are offered in order, so with parallelism the items start in item order.
    const child = startMember(ctx, group, member);
    if (child !== undefined) addChild(ctx, sg.id, child.id);
  }
  if (!groupDone(ctx, group, members.value)) return ctx.nodes[sg.id] as NodeStatus;
  for (const { nodeName, step } of members.value) {
    const child = getNode(ctx, nodeName) as NodeStatus;
    if (isNodeFailed(child.phase) && !continuesOn(step, child.phase)) {
      return finishNode(ctx, sg.id, "Failed", child.message ?? `child '${child.id}' failed`);
    }
  }
  return finishNode(ctx, sg.id, "Succeeded");
}

/** What later groups see of a step: its node, or for a loop the aggregate of its items. */
function stepScope(ctx: Ctx, sg: NodeStatus, step: WorkflowStep): Record<string, string> {
  const nodeName = `${sg.name}.${step.name}`;
  const child = getNode(ctx, nodeName);
  if (child !== undefined) return nodeScope("steps", step.name, child);
  const items = iterationsOf(nodeName, childNodes(ctx, sg)).filter((node) => node.type !== "Skipped");
  return loopScope("steps", step.name, sg, items);
}

function linkGroup(ctx: Ctx, stepsNode: NodeStatus, index: number, sgId: string): void {
  if (index === 0) return addChild(ctx, stepsNode.id, sgId);
  const prev = getNode(ctx, `${stepsNode.name}[${index - 1}]`);
  const children = prev?.children ?? [];
  if (prev !== undefined && children.length === 0) return addChild(ctx, prev.id, sgId);
  for (const child of children) for (const out of outboundNodes(ctx, child)) addChild(ctx, out, sgId);
}

/** Runs a steps node; its steps are templates again, run by `runTemplate`. */
export function executeSteps(ctx: Ctx, call: TemplateCall, runTemplate: RunTemplate): NodeStatus {
  const { req, template, inputs } = call;
  const node = initTemplateNode(ctx, req, { type: "Steps", phase: "Running" }, inputs);
  const scope = templateScope(req.frame.globals(), inputs);
  const frame = childFrame(req.frame);
  const gate = startGate(ctx, node.id, template, frame);
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
    const sg = executeGroup(ctx, { steps, name, boundaryID: node.id, scope, frame, gate, runTemplate });
    if (!isNodeDone(sg.phase)) return ctx.nodes[node.id] as NodeStatus;
    if (sg.phase !== "Succeeded") return finishNode(ctx, node.id, "Failed", sg.message);
    for (const step of steps) Object.assign(scope, stepScope(ctx, sg, step));
  }
  const outputs = templateOutputs(ctx, template, scope);
  if (!outputs.ok) return finishNode(ctx, node.id, "Error", outputs.error);
  if (outputs.value !== undefined) updateNode(ctx, node.id, { outputs: outputs.value });
  return finishNode(ctx, node.id, "Succeeded");
}
