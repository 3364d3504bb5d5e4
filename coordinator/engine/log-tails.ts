// Beyond Argo: the workflow's exit handler can read the failed steps' log tails, from a
// ConfigMap owned by the workflow and mounted at /onexit/logs in the handler's pods. A ConfigMap
// someone else made under that name is never mounted: the tails go to a second name derived from
// the workflow's uid, or, when that is taken too or the API refuses the ConfigMap, the handler
// runs without them (an event says why).
import { LOG_TAILS_DIR } from "../../common/names.ts";
import type { V1ConfigMap, V1Pod } from "@kubernetes/client-node";
import type { NodeStatus, Workflow } from "./workflow.ts";
import { fnv32a, LABEL_WORKFLOW, logTailsConfigMapName, podName } from "../../common/names.ts";
import { reportOf } from "./nodes/pod-observe.ts";
import { workflowOwnerReference } from "./owner-reference.ts";

export const LOG_DIR = LOG_TAILS_DIR;
/** A ConfigMap holds at most 1 MiB; keep a margin for keys and metadata. */
const MAX_TOTAL_BYTES = 900 * 1024;

export interface LogTails {
  configMap: V1ConfigMap;
  /** Absolute paths of the files the handler can read, in node start order. */
  files: string[];
}

/** What the handler's pods mount: the ConfigMap to create first (none when it cannot be ours). */
export interface LogTailsMount {
  configMap: V1ConfigMap | undefined;
  files: string[];
  /** Why the usual ConfigMap is not used, for a Warning event; undefined when it is. */
  note: string | undefined;
}

/** Where the tails can go: the usual name, then one only this incarnation of the workflow knows. */
export function logTailsConfigMapNames(wf: Workflow): [string, string] {
  const first = logTailsConfigMapName(wf.metadata.name ?? "");
  return [first, `${first}-${fnv32a(wf.metadata.uid ?? "")}`];
}

export interface LogTailsFacts {
  foreign: ReadonlyMap<string, unknown>;
  /** ConfigMap name → the API server's refusal for good. */
  refused: Readonly<Record<string, string>>;
}

/** The first ConfigMap name that is not someone else's; undefined with the reason when none is usable. */
export function logTailsTarget(wf: Workflow, facts: LogTailsFacts): { name?: string; note?: string } {
  const namespace = wf.metadata.namespace ?? "default";
  const [first, second] = logTailsConfigMapNames(wf);
  const refusedName = [first, second].find((name) => Object.hasOwn(facts.refused, name));
  if (refusedName !== undefined)
    return {
      note: `the exit handler runs without the failed steps' logs: ConfigMap ${namespace}/${refusedName} could not be created: ${facts.refused[refusedName]}`,
    };
  if (!facts.foreign.has(first)) return { name: first };
  const taken = `ConfigMap ${namespace}/${first} exists and is not owned by this workflow; whoever created it should delete it (kubectl -n ${namespace} delete configmap ${first})`;
  if (!facts.foreign.has(second))
    return {
      name: second,
      note: `${taken}; the exit handler reads the failed steps' logs from ${second} instead`,
    };
  return { note: `${taken}; so is ${second}: the exit handler runs without the failed steps' logs` };
}

/**
 * The failed pod nodes that had a pod, each with its pod's name. Argo's CLI drops `podName` from
 * the nodes when it writes the status (`argo suspend`, `resume`): then the name Argo gives the
 * pod, when that pod is there.
 */
export function failedPodNodes(
  workflowName: string,
  nodes: Readonly<Record<string, NodeStatus>>,
  pods: ReadonlyMap<string, V1Pod>,
): { node: NodeStatus; pod: string }[] {
  return Object.values(nodes)
    .filter((node) => node.type === "Pod" && (node.phase === "Failed" || node.phase === "Error"))
    .flatMap((node) => {
      const name = node.podName ?? podName(workflowName, node.name, node.templateName);
      return node.podName !== undefined || pods.has(name) ? [{ node, pod: name }] : [];
    })
    .sort(
      (a, b) =>
        (a.node.startedAt ?? "").localeCompare(b.node.startedAt ?? "") ||
        a.node.name.localeCompare(b.node.name),
    );
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
  configMapName = logTailsConfigMapName(wf.metadata.name ?? ""),
): LogTails {
  const name = wf.metadata.name ?? "";
  const data: Record<string, string> = {};
  const files: string[] = [];
  let total = 0;
  for (const { node, pod } of failedPodNodes(name, nodes, pods)) {
    const key = `${pod}.log`;
    let text = tailOf(node, pods.get(pod));
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
      name: configMapName,
      namespace: wf.metadata.namespace ?? "default",
      labels: { [LABEL_WORKFLOW]: name },
      ownerReferences: [workflowOwnerReference(wf)],
    },
    data,
  };
  return { configMap, files };
}
