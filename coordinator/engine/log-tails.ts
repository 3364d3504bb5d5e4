// Beyond Argo: the workflow's exit handler can read the failed steps' log tails, from a
// ConfigMap owned by the workflow and mounted at /onexit/logs in the handler's pods.
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import type { NodeStatus, Workflow } from "../../common/types.ts";
import { API_VERSION, LABEL_WORKFLOW, logTailsConfigMapName } from "../../common/names.ts";
import { reportOf } from "./pod-observe.ts";

export const LOG_DIR = "/onexit/logs";
/** A ConfigMap holds at most 1 MiB; keep a margin for keys and metadata. */
const MAX_TOTAL_BYTES = 900 * 1024;

export interface LogTails {
  configMap: V1ConfigMap;
  /** Absolute paths of the files the handler can read, in node start order. */
  files: string[];
}

function failedPodNodes(nodes: Readonly<Record<string, NodeStatus>>): NodeStatus[] {
  return Object.values(nodes)
    .filter((node) => node.type === "Pod" && (node.phase === "Failed" || node.phase === "Error"))
    .filter((node) => node.podName !== undefined)
    .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name));
}

function tailOf(node: NodeStatus, pod: V1Pod | undefined): string {
  const report = pod === undefined ? undefined : reportOf(pod);
  if (report !== undefined && report.logTail !== "") return report.logTail;
  const why = node.message ? ` (${node.message})` : "";
  return `onexit: no log was captured for step ${node.displayName}${why}\n`;
}

export function logTails(
  wf: Workflow,
  nodes: Readonly<Record<string, NodeStatus>>,
  pods: ReadonlyMap<string, V1Pod>,
): LogTails {
  const name = wf.metadata.name ?? "";
  const data: Record<string, string> = {};
  const files: string[] = [];
  let total = 0;
  for (const node of failedPodNodes(nodes)) {
    const key = `${node.podName}.log`;
    let text = tailOf(node, pods.get(node.podName ?? ""));
    if (total + Buffer.byteLength(text) > MAX_TOTAL_BYTES) {
      text = `onexit: log tail of step ${node.displayName} left out: the ConfigMap size limit was reached\n`;
    }
    total += Buffer.byteLength(text);
    data[key] = text;
    files.push(`${LOG_DIR}/${key}`);
  }
  const configMap: V1ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: logTailsConfigMapName(name),
      namespace: wf.metadata.namespace ?? "default",
      labels: { [LABEL_WORKFLOW]: name },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: "Workflow",
          name,
          uid: wf.metadata.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    data,
  };
  return { configMap, files };
}
