// Argo's suspend template: a node of type Suspend, Running until `argo resume` writes it
// Succeeded (the CLI sets the phase, finishedAt and message in the status itself), or until its
// `duration` after it started has passed; the engine asks to be looked at again then. A kill
// fails it as Argo does: `Stopped with strategy '…'`, or the deadline's message.
import { substitute } from "../expr/template.ts";
import { parseArgoDuration } from "../expr/duration.ts";
import type { Resolved } from "../expr/template.ts";
import type { NodeStatus, Template } from "../workflow.ts";
import { isNodeDone } from "../workflow.ts";
import type { Ctx, TemplateCall } from "../context.ts";
import { finishNode, keepUnresolved, requestWake, updateNode } from "../context.ts";
import { isKilled } from "../kill.ts";
import { initTemplateNode, templateScope } from "./inputs.ts";

/** The wait in milliseconds, undefined for none (until resumed); an error for a value that is not a duration. */
export function suspendDurationMs(
  template: Template,
  scope: Readonly<Record<string, string>>,
): Resolved<number | undefined> {
  const raw = template.suspend?.duration;
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: undefined };
  const text = substitute(String(raw), scope, keepUnresolved);
  if (!text.ok) return { ok: false, error: `suspend.duration: ${text.error}` };
  const ms = parseArgoDuration(text.value.trim());
  if (ms === undefined) return { ok: false, error: `suspend.duration "${text.value}" is not a duration` };
  return { ok: true, value: Math.max(0, ms) };
}

export function executeSuspend(ctx: Ctx, call: TemplateCall): NodeStatus {
  const { req, template, inputs } = call;
  const node = initTemplateNode(ctx, req, { type: "Suspend", phase: "Pending" }, inputs);
  if (isNodeDone(node.phase)) return node;
  if (isKilled(ctx, req.frame.onExit)) {
    const message = ctx.kill?.workflowMessage ?? ctx.kill?.nodeMessage;
    return finishNode(ctx, node.id, "Failed", message);
  }
  const duration = suspendDurationMs(template, templateScope(req.frame.globals(), inputs));
  if (!duration.ok) return finishNode(ctx, node.id, "Error", duration.error);
  if (duration.value !== undefined) {
    const started = Date.parse(node.startedAt ?? ctx.nowIso);
    const remaining =
      (Number.isNaN(started) ? ctx.now.getTime() : started) + duration.value - ctx.now.getTime();
    if (remaining <= 0) return finishNode(ctx, node.id, "Succeeded");
    requestWake(ctx, remaining);
  }
  return node.phase === "Running" ? node : updateNode(ctx, node.id, { phase: "Running" });
}
