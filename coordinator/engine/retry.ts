// retryStrategy: a Retry node with one child per attempt (`name(0)`, `name(1)`, ...);
// `limit: N` allows N retries. The Retry node ends with the last attempt's phase and outputs.
import { substitute } from "../../common/template.ts";
import type { Resolved, Scope } from "../../common/template.ts";
import type { NodeStatus, RetryStrategy, Template } from "../../common/types.ts";
import { isNodeDone } from "../../common/types.ts";
import type { Ctx, ExecRequest } from "./context.ts";
import { addChild, finishNode, idOf, initNode, keepUnresolved, updateNode } from "./context.ts";
import type { InputValue } from "./inputs.ts";
import { asParameters, templateScope } from "./inputs.ts";
import { isKilled } from "./pod-node.ts";

export type BodyExecutor = (
  ctx: Ctx,
  req: ExecRequest,
  template: Template,
  inputs: readonly InputValue[],
) => NodeStatus;

const POLICIES = ["Always", "OnFailure", "OnError", "OnTransientError"];

/** `limit` as a number; undefined means no limit (Argo retries until success). */
export function retryLimit(strategy: RetryStrategy, scope: Scope): Resolved<number | undefined> {
  if (strategy.limit === undefined) return { ok: true, value: undefined };
  const text = substitute(String(strategy.limit), scope, keepUnresolved);
  if (!text.ok) return { ok: false, error: `retryStrategy.limit: ${text.error}` };
  const value = text.value.trim();
  if (!/^\d+$/.test(value))
    return { ok: false, error: `retryStrategy.limit "${value}" is not a non-negative integer` };
  return { ok: true, value: Number(value) };
}

export function validRetryPolicy(strategy: RetryStrategy): boolean {
  return strategy.retryPolicy === undefined || POLICIES.includes(strategy.retryPolicy);
}

function retriesOn(strategy: RetryStrategy, phase: NodeStatus["phase"]): boolean {
  const policy = strategy.retryPolicy ?? "OnFailure";
  if (phase === "Failed") return policy === "Always" || policy === "OnFailure";
  if (phase === "Error") return policy !== "OnFailure";
  return false;
}

function conclude(ctx: Ctx, id: string, last: NodeStatus): NodeStatus {
  const patch: Partial<NodeStatus> = { phase: last.phase, finishedAt: last.finishedAt ?? ctx.nowIso };
  if (last.outputs !== undefined) patch.outputs = last.outputs;
  if (last.message !== undefined) patch.message = last.message;
  if (last.hostNodeName !== undefined) patch.hostNodeName = last.hostNodeName;
  return updateNode(ctx, id, patch);
}

export function executeRetry(
  ctx: Ctx,
  req: ExecRequest,
  template: Template,
  inputs: readonly InputValue[],
  body: BodyExecutor,
): NodeStatus {
  const strategy = template.retryStrategy ?? {};
  let node = initNode(ctx, {
    name: req.nodeName,
    type: "Retry",
    templateName: req.templateName,
    boundaryID: req.boundaryID,
    phase: "Running",
  });
  if (node.inputs === undefined && inputs.length > 0)
    node = updateNode(ctx, node.id, { inputs: { parameters: asParameters(inputs) } });
  const limit = retryLimit(strategy, templateScope(req.frame.globals(), inputs));
  if (!limit.ok) return finishNode(ctx, node.id, "Error", limit.error);
  for (;;) {
    const attempts = ctx.nodes[node.id]?.children ?? [];
    const last = attempts.length === 0 ? undefined : ctx.nodes[attempts[attempts.length - 1] ?? ""];
    if (last !== undefined && !isNodeDone(last.phase)) return ctx.nodes[node.id] as NodeStatus;
    if (last !== undefined && last.phase === "Succeeded") return conclude(ctx, node.id, last);
    const exhausted = limit.value !== undefined && attempts.length > limit.value;
    const stop =
      last !== undefined &&
      (exhausted || !retriesOn(strategy, last.phase) || isKilled(ctx, req.frame.onExit));
    if (stop) return conclude(ctx, node.id, last);
    const name = `${req.nodeName}(${attempts.length})`;
    const attempt = body(ctx, { ...req, nodeName: name }, template, inputs);
    addChild(ctx, node.id, idOf(ctx, name));
    // An attempt that ends in the call that started it failed before running anything: retrying cannot help.
    if (isNodeDone(attempt.phase) && attempt.phase !== "Succeeded") return conclude(ctx, node.id, attempt);
  }
}
