// Argo's template `parallelism` on a steps or DAG template: while N of the template's
// children are active, no further child starts; it gets no node until there is room. The
// finishing children's pod events bring the next reconcile, so nothing needs a timer.
import type { NodeStatus, NodeType, Template } from "../workflow.ts";
import type { Ctx, Frame } from "../context.ts";
import { getNode, memoByVersion } from "../context.ts";
import { isKilled } from "../kill.ts";

/** Argo's HasParallelism: only a positive integer limits; absent or 0 runs everything at once. */
export function parallelismOf(holder: { parallelism?: unknown }): number | undefined {
  const limit = holder.parallelism;
  return typeof limit === "number" && Number.isInteger(limit) && limit > 0 ? limit : undefined;
}

/** Argo's active-children counter looks at these types only (not step groups, task groups, Retry nodes). */
const COUNTED: ReadonlySet<NodeType> = new Set(["Pod", "Steps", "DAG"]);

const isActive = (node: NodeStatus): boolean => node.phase === "Pending" || node.phase === "Running";

function countNodes(ctx: Ctx, counts: (node: NodeStatus) => boolean): number {
  let count = 0;
  for (const node of Object.values(ctx.nodes)) if (counts(node)) count++;
  return count;
}

/**
 * Argo's getActiveChildren: the nodes under this boundary (the steps or DAG node, across all
 * its step groups, loop items, retry attempts and hooks) that are Pending or Running.
 */
export function activeChildren(ctx: Ctx, boundaryID: string): number {
  return countNodes(
    ctx,
    (node) => node.boundaryID === boundaryID && COUNTED.has(node.type) && isActive(node),
  );
}

/** Argo's countActivePods for `spec.parallelism`: Pod nodes of the whole workflow, Pending or Running. */
export function activePods(ctx: Ctx): number {
  return countNodes(ctx, (node) => node.type === "Pod" && isActive(node));
}

/** Whether the child of that name may be started now; one that already has a node always may. */
export type StartGate = (nodeName: string) => boolean;

/**
 * The gate for the children of one steps or DAG node running `template`: its own
 * `parallelism`, and the workflow's `spec.parallelism` (Argo checks both before executing a
 * template). The exit handler is gated too, as in Argo; it never waits for good, since the
 * body's pods have all ended when it runs.
 */
export function startGate(ctx: Ctx, boundaryID: string, template: Template, frame: Frame): StartGate {
  const limit = parallelismOf(template);
  const workflowLimit = parallelismOf(ctx.wf.spec);
  if (limit === undefined && workflowLimit === undefined) return () => true;
  const children = memoByVersion(ctx, () => activeChildren(ctx, boundaryID));
  const pods = memoByVersion(ctx, () => activePods(ctx));
  return (nodeName) => {
    if (getNode(ctx, nodeName) !== undefined) return true;
    // A kill ends a child not started yet at once, without a pod: held back, it would keep its
    // group (and so the workflow) waiting forever.
    if (isKilled(ctx, frame.onExit)) return true;
    if (workflowLimit !== undefined && pods() >= workflowLimit) return false;
    return limit === undefined || children() < limit;
  };
}
