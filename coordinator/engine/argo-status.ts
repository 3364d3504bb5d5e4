// A status written by Argo's own tools reads as onexit's. `argo retry` and `argo resume` rewrite
// the status with a plain update from Go structs (the CRD has no status subresource, as Argo's),
// so a zero time comes back as `null` (`finishedAt` of the nodes they reset and of the workflow),
// and a retried workflow's phase as absent. Null fields are dropped: onexit never writes one.
import type { NodeStatus, Workflow, WorkflowStatus } from "./workflow.ts";

function withoutNulls<T extends object>(value: T): T {
  if (!Object.values(value).includes(null)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null)) as T;
}

function readNodes(nodes: WorkflowStatus["nodes"]): WorkflowStatus["nodes"] {
  if (nodes === undefined || nodes === null) return undefined;
  const out: Record<string, NodeStatus> = {};
  for (const [id, node] of Object.entries(nodes)) out[id] = withoutNulls(node);
  return out;
}

/** The workflow with its status as onexit writes it: no null field in it or its nodes. */
export function readableStatus(wf: Workflow): Workflow {
  const status = wf.status;
  if (status === undefined || status === null) return wf;
  const clean: WorkflowStatus = { ...withoutNulls(status) };
  const nodes = readNodes(status.nodes);
  if (nodes === undefined) delete clean.nodes;
  else clean.nodes = nodes;
  return { ...wf, status: clean };
}
