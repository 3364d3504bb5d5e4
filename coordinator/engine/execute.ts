// Runs one template as one node: resolves its inputs, wraps it in a Retry node when it has
// a retryStrategy, and hands it to the pod, steps or DAG executor.
import type { NodeStatus, NodeType, Template } from "./workflow.ts";
import { isNodeDone } from "./workflow.ts";
import type { Ctx, ExecRequest, TemplateCall } from "./context.ts";
import { finishNode, getNode, initNode, tooDeep } from "./context.ts";
import { executeDag } from "./nodes/dag.ts";
import { resolveInputs } from "./nodes/inputs.ts";
import { executePod } from "./nodes/pod.ts";
import { executeRetry } from "./nodes/retry.ts";
import { executeSteps } from "./nodes/steps.ts";
import { executeSuspend } from "./nodes/suspend.ts";

export function nodeTypeOf(template: Template | undefined): NodeType {
  if (template?.steps !== undefined) return "Steps";
  if (template?.dag !== undefined) return "DAG";
  if (template?.suspend !== undefined && template.suspend !== null) return "Suspend";
  if (template?.retryStrategy !== undefined) return "Retry";
  return "Pod";
}

function errorNode(ctx: Ctx, req: ExecRequest, type: NodeType, message: string): NodeStatus {
  const node = initNode(ctx, {
    name: req.nodeName,
    type,
    templateName: req.templateName,
    boundaryID: req.boundaryID,
    phase: "Error",
    message,
  });
  return finishNode(ctx, node.id, "Error", message);
}

/** The template's own kind: a pod, a suspend, or steps and DAG nodes whose children are templates again. */
function executeKind(ctx: Ctx, call: TemplateCall): NodeStatus {
  if (call.template.steps !== undefined) return executeSteps(ctx, call, executeTemplate);
  if (call.template.dag !== undefined) return executeDag(ctx, call, executeTemplate);
  if (call.template.suspend !== undefined && call.template.suspend !== null) return executeSuspend(ctx, call);
  return executePod(ctx, call);
}

export function executeTemplate(ctx: Ctx, req: ExecRequest): NodeStatus {
  const node = getNode(ctx, req.nodeName);
  if (node !== undefined && isNodeDone(node.phase)) return node;
  const template = ctx.templates.get(req.templateName);
  if (template === undefined) return errorNode(ctx, req, "Pod", `template "${req.templateName}" not found`);
  if (tooDeep(req.frame))
    return errorNode(ctx, req, nodeTypeOf(template), "maximum recursion depth exceeded");
  const inputs = resolveInputs(template, req.args, req.frame.globals());
  if (!inputs.ok) return errorNode(ctx, req, nodeTypeOf(template), inputs.error);
  if (template.retryStrategy !== undefined)
    return executeRetry(ctx, { req, template, inputs: inputs.value }, executeKind);
  return executeKind(ctx, { req, template, inputs: inputs.value });
}
