// What Argo's CLI writes into a workflow, for tests: `argo retry` (util.FormulateRetryWorkflow on
// the shapes onexit makes: no node flags, so a failed retry attempt is reset on its own) and
// `argo resume` (util.ResumeWorkflow), as plain updates of the whole object, Go's zero times as null.
import type { NodeStatus } from "../workflow.ts";
import { LABEL_COMPLETED } from "../../../common/names.ts";
import type { World } from "./world.ts";

function descendants(nodes: Record<string, NodeStatus>, id: string, out = new Set<string>()): Set<string> {
  for (const child of nodes[id]?.children ?? []) {
    if (out.has(child)) continue;
    out.add(child);
    descendants(nodes, child, out);
  }
  return out;
}

/** What Argo resets above a failed node: the failed groups and boundaries it walks up through. */
function ancestors(nodes: Record<string, NodeStatus>, id: string): string[] {
  return Object.values(nodes)
    .filter((node) => node.phase === "Failed" || node.phase === "Error")
    .filter((node) => descendants(nodes, node.id).has(id))
    .map((node) => node.id);
}

function plan(
  nodes: Record<string, NodeStatus>,
  workflowName: string,
): { removed: Set<string>; reset: Set<string> } {
  const removed = new Set<string>();
  const reset = new Set<string>();
  for (const node of Object.values(nodes)) {
    if (node.name.startsWith(`${workflowName}.onExit`)) removed.add(node.id);
    if (node.type !== "Pod" || (node.phase !== "Failed" && node.phase !== "Error")) continue;
    removed.add(node.id);
    for (const id of descendants(nodes, node.id)) removed.add(id);
    for (const id of ancestors(nodes, node.id)) reset.add(id);
  }
  return { removed, reset };
}

function resetNodes(
  nodes: Record<string, NodeStatus>,
  { removed, reset }: { removed: Set<string>; reset: Set<string> },
  now: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const node of Object.values(nodes)) {
    if (removed.has(node.id)) continue;
    const children = (node.children ?? []).filter((id) => !removed.has(id));
    const { message: _message, ...kept } = node;
    out[node.id] = reset.has(node.id)
      ? { ...kept, children, phase: "Running", startedAt: now, finishedAt: null }
      : { ...node, children };
  }
  return out;
}

/**
 * `argo retry`: failed pod nodes, what follows them and the exit handler's nodes are removed (their
 * pods deleted, or only marked deleting with `lagging`), their ancestors reset to Running.
 */
export function argoRetry(w: World, options: { lagging?: boolean } = {}): void {
  const nodes = structuredClone(w.workflow.status?.nodes ?? {});
  const planned = plan(nodes, w.workflow.metadata.name ?? "");
  const podsGone = new Set([...planned.removed].flatMap((id) => nodes[id]?.podName ?? []));
  const now = w.now.toISOString();
  const out = resetNodes(throughGoTypes(nodes), planned, now);
  if (options.lagging) {
    for (const pod of w.pods)
      if (podsGone.has(pod.metadata?.name ?? ""))
        pod.metadata = { ...pod.metadata, deletionTimestamp: w.now };
  } else {
    w.pods = w.pods.filter((pod) => !podsGone.has(pod.metadata?.name ?? ""));
  }
  const labels = { ...w.workflow.metadata.labels };
  delete labels[LABEL_COMPLETED];
  const status = { ...w.workflow.status, startedAt: now, finishedAt: null, nodes: out } as Record<
    string,
    unknown
  >;
  delete status.phase;
  delete status.message;
  w.workflow = {
    ...w.workflow,
    metadata: { ...w.workflow.metadata, labels },
    spec: { ...w.workflow.spec, shutdown: undefined },
    status: status as never,
  };
}

/** Argo's Go NodeStatus has no `podName` or `logBytes`: a status the CLI writes back loses them. */
function throughGoTypes(nodes: Record<string, NodeStatus>): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {};
  for (const [id, node] of Object.entries(nodes)) {
    const { podName: _podName, logBytes: _logBytes, ...kept } = node;
    out[id] = kept;
  }
  return out;
}

/** `argo resume`: spec.suspend removed, every Running Suspend node Succeeded. */
export function argoResume(w: World): void {
  const nodes = throughGoTypes(structuredClone(w.workflow.status?.nodes ?? {}));
  for (const node of Object.values(nodes)) {
    if (node.type !== "Suspend" || node.phase !== "Running") continue;
    nodes[node.id] = { ...node, phase: "Succeeded", finishedAt: w.now.toISOString() };
  }
  const { suspend: _suspend, ...spec } = w.workflow.spec;
  w.workflow = { ...w.workflow, spec, status: { ...w.workflow.status, nodes } };
}

/** `argo suspend`: spec.suspend set (the status written back through Go's types). */
export function argoSuspend(w: World): void {
  const status = w.workflow.status && {
    ...w.workflow.status,
    nodes: throughGoTypes(w.workflow.status.nodes ?? {}),
  };
  w.workflow = { ...w.workflow, spec: { ...w.workflow.spec, suspend: true }, status };
}
