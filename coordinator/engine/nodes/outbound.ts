// The nodes a following step group or task hangs from in the tree `argo get` draws
// (Argo's getOutboundNodes): a pod itself, a Retry node's last attempt, a Steps node's
// last group's outbound nodes, a looped task's (TaskGroup's) items' outbound nodes.
import type { NodeStatus } from "../workflow.ts";
import type { Ctx } from "../context.ts";
import { getNode } from "../context.ts";

function lastGroup(ctx: Ctx, node: NodeStatus): NodeStatus | undefined {
  let found: NodeStatus | undefined;
  for (let i = 0; ; i++) {
    const group = getNode(ctx, `${node.name}[${i}]`);
    if (group === undefined) return found;
    found = group;
  }
}

/** The nodes whose outbound nodes are this node's: a Steps node's last group's, a TaskGroup's items. */
function innerNodes(ctx: Ctx, node: NodeStatus): string[] {
  if (node.type === "Steps") return lastGroup(ctx, node)?.children ?? [];
  if (node.type === "TaskGroup") return node.children ?? [];
  return [];
}

export function outboundNodes(ctx: Ctx, id: string, depth = 0): string[] {
  const node = ctx.nodes[id];
  if (node === undefined || depth > 20) return [id];
  if (node.type === "Retry") {
    const children = node.children ?? [];
    return children.length > 0 ? [children[children.length - 1] as string] : [id];
  }
  const children = innerNodes(ctx, node);
  if (children.length === 0) return [id];
  return children.flatMap((child) => outboundNodes(ctx, child, depth + 1));
}
