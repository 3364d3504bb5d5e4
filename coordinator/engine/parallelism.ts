// Argo's template `parallelism` on a steps or DAG template: while N of the template's
// children are active, no further child starts; it gets no node until there is room. The
// finishing children's pod events bring the next reconcile, so nothing needs a timer.
import type { NodeType, Template } from "../../common/types.ts";
import type { Ctx, Frame } from "./context.ts";
import { getNode } from "./context.ts";
import { isKilled } from "./pod-node.ts";

/** Argo's HasParallelism: only a positive integer limits; absent or 0 runs everything at once. */
export function parallelismOf(template: Template): number | undefined {
  const limit = template.parallelism;
  return typeof limit === "number" && Number.isInteger(limit) && limit > 0 ? limit : undefined;
}

/** Argo's active-children counter looks at these types only (not step groups, task groups, Retry nodes). */
const COUNTED: ReadonlySet<NodeType> = new Set(["Pod", "Steps", "DAG"]);

/**
 * Argo's getActiveChildren: the nodes under this boundary (the steps or DAG node, across all
 * its step groups, loop items, retry attempts and hooks) that are Pending or Running.
 */
export function activeChildren(ctx: Ctx, boundaryID: string): number {
  let active = 0;
  for (const node of Object.values(ctx.nodes)) {
    if (node.boundaryID !== boundaryID || !COUNTED.has(node.type)) continue;
    if (node.phase === "Pending" || node.phase === "Running") active++;
  }
  return active;
}

/** Whether the child of that name may be started now; one that already has a node always may. */
export type StartGate = (nodeName: string) => boolean;

/** The gate for the children of one steps or DAG node running `template`. */
export function startGate(ctx: Ctx, boundaryID: string, template: Template, frame: Frame): StartGate {
  const limit = parallelismOf(template);
  // Counted again only when a node was created or changed phase since (ctx.version), so a long
  // loop does not recount every node for each item.
  let counted: { version: number; active: number } | undefined;
  return (nodeName) => {
    if (limit === undefined || getNode(ctx, nodeName) !== undefined) return true;
    // A kill ends a child not started yet at once, without a pod: held back, it would keep its
    // group (and so the workflow) waiting forever.
    if (isKilled(ctx, frame.onExit)) return true;
    if (counted?.version !== ctx.version)
      counted = { version: ctx.version, active: activeChildren(ctx, boundaryID) };
    return counted.active < limit;
  };
}
