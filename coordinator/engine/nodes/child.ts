// Starting one child of a steps or DAG node (a step, a task, one item of a loop): its `when`,
// its arguments, the parent's parallelism; and `continueOn`, which decides whether its failure
// fails the parent. Shared by steps.ts and dag.ts.
import { substitute, substituteDeep } from "../expr/template.ts";
import type { Scope } from "../expr/template.ts";
import type { NodeStatus, WorkflowStep } from "../workflow.ts";
import { isNodeDone } from "../workflow.ts";
import type { Ctx, Frame, RunTemplate } from "../context.ts";
import { finishNode, getNode, initNode, keepUnresolved } from "../context.ts";
import type { StartGate } from "./parallelism.ts";
import { evaluateWhen } from "../expr/when.ts";

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
  /** The parent's `parallelism`: a child with no node yet waits while it is reached. */
  gate?: StartGate;
  runTemplate: RunTemplate;
}

function failedChild(ctx: Ctx, at: Child, step: WorkflowStep, message: string): NodeStatus {
  const type = step.when === undefined || step.when === "" ? "Pod" : "Skipped";
  const spec = { name: at.nodeName, type, templateName: step.template, boundaryID: at.boundaryID } as const;
  const node = initNode(ctx, { ...spec, phase: "Error", message });
  return finishNode(ctx, node.id, "Error", message);
}

/** Argo's node for a loop over an empty list: Skipped, and the step or task counts as done. */
export function skippedEmptyLoop(
  ctx: Ctx,
  nodeName: string,
  step: WorkflowStep,
  boundaryID: string,
): NodeStatus {
  return initNode(ctx, {
    name: nodeName,
    type: "Skipped",
    templateName: step.template,
    boundaryID,
    phase: "Skipped",
    message: "Skipped, empty params",
  });
}

/**
 * Evaluates `when`, substitutes the arguments and runs a step or DAG task as a child node;
 * undefined while the parent's parallelism holds it back (as in Argo, after `when`).
 */
export function startChild(ctx: Ctx, at: Child, step: WorkflowStep): NodeStatus | undefined {
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
  if (at.gate !== undefined && !at.gate(at.nodeName)) return undefined;
  return at.runTemplate(ctx, {
    nodeName: at.nodeName,
    templateName: step.template,
    args: args.value,
    boundaryID: at.boundaryID,
    frame: at.frame,
  });
}
