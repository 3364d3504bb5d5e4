// The workflow's exit handler (`spec.onExit` or `spec.hooks.exit`): node `<wf>.onExit`,
// started in the same reconcile that sees the body end, with `workflow.status` set
// to the body's phase and the failed steps' log tails mounted.
import { substituteDeep } from "../expr/template.ts";
import type { Scope } from "../expr/template.ts";
import type { NodeStatus } from "../workflow.ts";
import { isNodeDone } from "../workflow.ts";
import { exitHandlerNodeName } from "../../../common/names.ts";
import type { Ctx, Frame } from "../context.ts";
import { finishNode, getNode, initNode, keepUnresolved, memoByVersion } from "../context.ts";
import { executeTemplate } from "../execute.ts";
import { hookArguments, workflowExitHook } from "./hooks.ts";
import { LOG_DIR, logTails, logTailsTarget, type LogTailsMount } from "../log-tails.ts";
import { workflowScope } from "../scope.ts";
import { FAILED_LOGS_VARIABLE, failedLogsReference } from "./failed-logs.ts";

export type BodyPhase = "Succeeded" | "Failed" | "Error";

export function handlerNodeName(ctx: Ctx): string {
  return exitHandlerNodeName(ctx.name);
}

/** The body's nodes: everything except the workflow handler's subtree. */
export function bodyNodes(ctx: Ctx): Record<string, NodeStatus> {
  const prefix = handlerNodeName(ctx);
  const out: Record<string, NodeStatus> = {};
  for (const [id, node] of Object.entries(ctx.nodes)) {
    if (
      node.name !== prefix &&
      !node.name.startsWith(`${prefix}[`) &&
      !node.name.startsWith(`${prefix}.`) &&
      !node.name.startsWith(`${prefix}(`)
    ) {
      out[id] = node;
    }
  }
  return out;
}

/** The log tails the handler's pods mount, under a name that is (or will be) ours. */
export function logTailsMount(ctx: Ctx): LogTailsMount {
  const target = logTailsTarget(ctx.wf, {
    foreign: ctx.foreignConfigMaps,
    refused: ctx.configMapCreateFailures,
  });
  if (target.name === undefined) return { configMap: undefined, files: [], note: target.note };
  const tails = logTails(ctx.wf, bodyNodes(ctx), ctx.pods, target.name);
  return { configMap: tails.configMap, files: tails.files, note: target.note };
}

/** The `workflow.*` variables the workflow's exit handler sees, as they stand now (memoByVersion). */
export function handlerScope(ctx: Ctx, phase: BodyPhase, startedAt: string): () => Scope {
  return memoByVersion(ctx, () => {
    const facts = { phase, startedAt, nodes: bodyNodes(ctx), globalOutputs: ctx.globalOutputs };
    return {
      ...workflowScope(ctx.wf, facts, ctx.now),
      "onexit.logDir": LOG_DIR,
      "onexit.logFiles": JSON.stringify(logTailsMount(ctx).files),
      [FAILED_LOGS_VARIABLE]: failedLogsReference(ctx.name, facts.nodes, ctx.pods),
    };
  });
}

/** Runs (or follows) the workflow's exit handler; undefined when there is none to run. */
export function runExitHandler(ctx: Ctx, phase: BodyPhase, startedAt: string): NodeStatus | undefined {
  const hook = workflowExitHook(ctx.wf);
  if (hook === undefined) return undefined;
  const name = handlerNodeName(ctx);
  const existing = getNode(ctx, name);
  if (existing !== undefined && isNodeDone(existing.phase)) return existing;
  if (existing === undefined && ctx.kill !== undefined && !ctx.kill.handlersRun) return undefined;
  const globals = handlerScope(ctx, phase, startedAt);
  const args = substituteDeep(hookArguments(ctx.wf, hook), globals(), keepUnresolved);
  if (!args.ok) {
    const node = initNode(ctx, {
      name,
      type: "Pod",
      templateName: hook.template,
      boundaryID: "",
      phase: "Error",
      message: args.error,
    });
    return finishNode(ctx, node.id, "Error", args.error);
  }
  // Every pod the handler creates asks for the ConfigMap first (pod-node.ts), so a ConfigMap that
  // turned out not to be ours is replaced before any later pod of the handler mounts it.
  const frame: Frame = { globals, onExit: true, logTails: logTailsMount(ctx), depth: 0 };
  return executeTemplate(ctx, {
    nodeName: name,
    templateName: hook.template,
    args: args.value,
    boundaryID: "",
    frame,
  });
}
