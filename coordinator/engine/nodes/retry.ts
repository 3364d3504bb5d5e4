// retryStrategy: a Retry node with one child per attempt (`name(0)`, `name(1)`, ...);
// `limit: N` allows N retries, `backoff` spaces them (backoff.ts). The Retry node ends with the
// last attempt's phase and outputs.
import { substitute } from "../expr/template.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { NodeStatus, RetryStrategy } from "../workflow.ts";
import { isNodeDone } from "../workflow.ts";
import { decideBackoff } from "./retry-backoff.ts";
import type { Ctx, TemplateCall } from "../context.ts";
import {
  addChild,
  childNodes,
  finishNode,
  idOf,
  initNode,
  keepUnresolved,
  requestWake,
  setNode,
  updateNode,
} from "../context.ts";
import { asParameters, templateScope } from "./inputs.ts";
import { isKilled } from "../kill.ts";

/** Runs one attempt: the template's own kind (execute.ts), under the attempt's node name. */
export type AttemptExecutor = (ctx: Ctx, call: TemplateCall) => NodeStatus;

const POLICIES = ["Always", "OnFailure", "OnError", "OnTransientError"];

/**
 * `{{retries}}` for a pod of a retry attempt (`<retry node>(N)` under a Retry node): N, the
 * number of attempts before it, as Argo substitutes it in the template of each attempt.
 */
export function retriesScope(ctx: Ctx, nodeName: string): Record<string, string> {
  const match = /^(.*)\((\d+)\)$/.exec(nodeName);
  if (match === null || ctx.nodes[idOf(ctx, match[1] ?? "")]?.type !== "Retry") return {};
  return { retries: match[2] ?? "0" };
}

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

function conclude(ctx: Ctx, id: string, last: NodeStatus, message = last.message): NodeStatus {
  const patch: Partial<NodeStatus> = { phase: last.phase, finishedAt: last.finishedAt ?? ctx.nowIso };
  if (last.outputs !== undefined) patch.outputs = last.outputs;
  if (message !== undefined) patch.message = message;
  if (last.hostNodeName !== undefined) patch.hostNodeName = last.hostNodeName;
  return updateNode(ctx, id, patch);
}

export interface RetryCall extends TemplateCall {
  runAttempt: AttemptExecutor;
}

function attempt(ctx: Ctx, call: RetryCall, nodeName: string): NodeStatus {
  return call.runAttempt(ctx, { ...call, req: { ...call.req, nodeName } });
}

/** The latest attempt, followed (its pod observed) if it is still running. */
function latest(ctx: Ctx, call: RetryCall, retryId: string): NodeStatus | undefined {
  const attempts = ctx.nodes[retryId]?.children ?? [];
  const last = ctx.nodes[attempts[attempts.length - 1] ?? ""];
  if (last === undefined || isNodeDone(last.phase)) return last;
  return attempt(ctx, call, last.name);
}

function mayRetry(ctx: Ctx, call: RetryCall, last: NodeStatus, limit: number | undefined): boolean {
  const count = ctx.nodes[idOf(ctx, call.req.nodeName)]?.children?.length ?? 0;
  if (limit !== undefined && count > limit) return false;
  return retriesOn(call.template.retryStrategy ?? {}, last.phase);
}

/** The Backoff message goes once the wait is over, as in Argo. */
function clearMessage(ctx: Ctx, id: string): void {
  const node = ctx.nodes[id];
  if (node === undefined || node.message === undefined || isNodeDone(node.phase)) return;
  const { message: _cleared, ...rest } = node;
  setNode(ctx, rest);
}

/**
 * After a failed attempt: undefined to go on to the retry policy and limit, or the Retry node
 * as backoff leaves it (waiting, ended by maxDuration, or in Error for a value it cannot read).
 */
function applyBackoff(
  ctx: Ctx,
  call: RetryCall,
  id: string,
  strategy: { scope: Scope; limit: number | undefined },
): NodeStatus | undefined {
  const backoff = call.template.retryStrategy?.backoff;
  const attempts = childNodes(ctx, ctx.nodes[id]);
  const [first, last] = [attempts[0], attempts[attempts.length - 1]];
  if (backoff === undefined || backoff === null || first === undefined || last === undefined)
    return undefined;
  const count = attempts.length;
  const decision = decideBackoff(
    backoff,
    strategy.scope,
    { first, last, count, limit: strategy.limit },
    ctx.now,
  );
  switch (decision.kind) {
    case "proceed":
      clearMessage(ctx, id);
      return undefined;
    case "wait":
      requestWake(ctx, decision.remainingMs);
      return updateNode(ctx, id, { message: decision.message });
    case "end":
      return conclude(ctx, id, last, decision.message);
    case "error":
      return finishNode(ctx, id, "Error", decision.message);
  }
}

function openRetryNode(ctx: Ctx, call: RetryCall): string {
  const { req, inputs } = call;
  const node = initNode(ctx, {
    name: req.nodeName,
    type: "Retry",
    templateName: req.templateName,
    boundaryID: req.boundaryID,
    phase: "Running",
  });
  if (node.inputs === undefined && inputs.length > 0) {
    updateNode(ctx, node.id, { inputs: { parameters: asParameters(inputs) } });
  }
  return node.id;
}

/** Starts the next attempt; one that ends in the call that started it failed before running anything, so it is final. */
function startNext(ctx: Ctx, call: RetryCall, id: string): NodeStatus {
  const name = `${call.req.nodeName}(${ctx.nodes[id]?.children?.length ?? 0})`;
  const started = attempt(ctx, call, name);
  addChild(ctx, id, started.id);
  return isNodeDone(started.phase) ? conclude(ctx, id, started) : (ctx.nodes[id] as NodeStatus);
}

/** Argo's order once the last attempt has ended: success, a kill, backoff, then policy and limit. */
export function executeRetry(ctx: Ctx, templateCall: TemplateCall, runAttempt: AttemptExecutor): NodeStatus {
  const call: RetryCall = { ...templateCall, runAttempt };
  const id = openRetryNode(ctx, call);
  const scope = templateScope(call.req.frame.globals(), call.inputs);
  const limit = retryLimit(call.template.retryStrategy ?? {}, scope);
  if (!limit.ok) return finishNode(ctx, id, "Error", limit.error);
  const last = latest(ctx, call, id);
  if (last === undefined) return startNext(ctx, call, id);
  if (!isNodeDone(last.phase)) return ctx.nodes[id] as NodeStatus;
  if (last.phase === "Succeeded") return conclude(ctx, id, last);
  // A kill ends a Retry node at once, even one waiting out its backoff, with the kill's reason.
  if (isKilled(ctx, call.req.frame.onExit)) return conclude(ctx, id, last, ctx.kill?.nodeMessage);
  const backedOff = applyBackoff(ctx, call, id, { scope, limit: limit.value });
  if (backedOff !== undefined) return backedOff;
  if (!mayRetry(ctx, call, last, limit.value)) return conclude(ctx, id, last);
  return startNext(ctx, call, id);
}
