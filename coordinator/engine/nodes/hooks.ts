// Step- and task-level exit handlers (`onExit`, `hooks.exit`): run once the step completed
// (Succeeded/Failed/Error, not Skipped/Omitted) as `<step node>.onExit`, a child of the step.
import { substituteDeep } from "../expr/template.ts";
import type { Scope } from "../expr/template.ts";
import type { Arguments, DagTask, LifecycleHook, NodeStatus, WorkflowStep, Workflow } from "../workflow.ts";
import { isNodeDone } from "../workflow.ts";
import { exitHandlerNodeName } from "../../../common/names.ts";
import type { Ctx, Frame, RunTemplate } from "../context.ts";
import { addChild, childFrame, finishNode, getNode, initNode, keepUnresolved } from "../context.ts";
import { nodeScope } from "../scope.ts";

/** `onExit` wins over `hooks.exit`, as for the workflow. */
export function exitHookOf(step: WorkflowStep | DagTask): LifecycleHook | undefined {
  if (step.onExit !== undefined && step.onExit !== "") return { template: step.onExit };
  return step.hooks?.exit;
}

/** The workflow's own exit hook: `spec.onExit` wins over `spec.hooks.exit`. */
export function workflowExitHook(wf: Workflow): LifecycleHook | undefined {
  if (wf.spec.onExit !== undefined && wf.spec.onExit !== "") return { template: wf.spec.onExit };
  return wf.spec.hooks?.exit;
}

/** A hook without arguments inherits the workflow's arguments (Argo's GetExitHook). */
export function hookArguments(wf: Workflow, hook: LifecycleHook): Arguments {
  const own = hook.arguments?.parameters ?? [];
  return own.length > 0 ? (hook.arguments as Arguments) : (wf.spec.arguments ?? {});
}

export function completed(node: NodeStatus): boolean {
  return node.phase === "Succeeded" || node.phase === "Failed" || node.phase === "Error";
}

export interface StepHookRequest {
  step: WorkflowStep | DagTask;
  stepNode: NodeStatus;
  prefix: "steps" | "tasks";
  /** The variables the step's own arguments could use. */
  scope: Scope;
  boundaryID: string;
  frame: Frame;
  runTemplate: RunTemplate;
}

/** Runs a finished step's exit hook if it has one; true when the step and its hook are both done. */
export function runStepHook(ctx: Ctx, req: StepHookRequest): boolean {
  const hook = exitHookOf(req.step);
  if (hook === undefined || !completed(req.stepNode)) return true;
  if (ctx.kill !== undefined && !ctx.kill.handlersRun) return true;
  const name = exitHandlerNodeName(req.stepNode.name);
  const existing = getNode(ctx, name);
  if (existing !== undefined && isNodeDone(existing.phase)) return true;
  const scope = { ...req.scope, ...nodeScope(req.prefix, req.step.name, req.stepNode) };
  const args = substituteDeep(hookArguments(ctx.wf, hook), scope, keepUnresolved);
  if (!args.ok) {
    const node = initNode(ctx, {
      name,
      type: "Pod",
      templateName: hook.template,
      boundaryID: req.boundaryID,
      phase: "Error",
      message: args.error,
    });
    finishNode(ctx, node.id, "Error", args.error);
    addChild(ctx, req.stepNode.id, node.id);
    return true;
  }
  const frame: Frame = { ...childFrame(req.frame), onExit: true, logTails: undefined };
  const node = req.runTemplate(ctx, {
    nodeName: name,
    templateName: hook.template,
    args: args.value,
    boundaryID: req.boundaryID,
    frame,
  });
  addChild(ctx, req.stepNode.id, node.id);
  return isNodeDone(node.phase);
}
