// Issue 14 item 4: the largest workflow onexit can store. A finished `withSequence` loop of N
// items with an exit handler is built directly as its status (the engine's node shape, ids and
// pod names, times that differ from node to node), without running it; then:
//   - the largest N whose Workflow fits in 1 MiB (Argo's and onexit's default MAX_WORKFLOW_SIZE)
//     as is, and with status.nodes compressed as Argo compresses them (node-status-packing.ts);
//   - against KUBECONFIG's API server, the N at which it starts refusing such a Workflow, created
//     with its status as is and compressed (a binary search; each probe is created, then deleted).
// `node bench/growth-size.ts [--api]` prints both; `make bench` does not run it.
import { execFileSync } from "node:child_process";
import { nodeId, podName } from "../common/names.ts";
import type { NodeStatus, Workflow, WorkflowStatus } from "../coordinator/engine/index.ts";
import { DEFAULT_MAX_WORKFLOW_SIZE, jsonBytes, packWorkflow } from "../coordinator/node-status-packing.ts";
import { ApiError, createApi, type Api } from "./api.ts";
import { toolsOnPath } from "./setup.ts";
import { loopWorkflow } from "./growth-nodes.ts";
import { WORKFLOWS_PATH } from "./workflows.ts";
import { parse } from "yaml";

const START = Date.parse("2026-12-06T09:00:00Z");
const iso = (ms: number): string => new Date(ms).toISOString();

interface PodNodeOf {
  name: string;
  display: string;
  template: string;
  at: number;
}

function podNode(wf: string, { name, display, template, at }: PodNodeOf): NodeStatus {
  const id = nodeId(wf, name);
  return {
    id,
    name,
    displayName: display,
    type: "Pod",
    templateName: template,
    phase: "Succeeded",
    boundaryID: template === "work" ? wf : "",
    startedAt: iso(at),
    podName: podName(wf, name, template),
    // Real runs end at every millisecond: times that repeat would flatter the compression.
    finishedAt: iso(at + 1000 + ((at * 7919) % 997)),
    outputs: { result: "", exitCode: "0" },
    logBytes: 0,
  } as NodeStatus;
}

/** What a finished loop of `items` steps with an exit handler stores: items + 3 nodes. */
export function loopStatus(wf: string, items: number): WorkflowStatus {
  const group = nodeId(wf, `${wf}[0]`);
  const children = Array.from({ length: items }, (_, i) => nodeId(wf, `${wf}[0].item(${i}:${i})`));
  const end = iso(START + items * 250 + 5000);
  const nodes: Record<string, NodeStatus> = {
    [wf]: {
      ...{ id: wf, name: wf, displayName: wf, type: "Steps", templateName: "main", phase: "Succeeded" },
      ...{ boundaryID: "", startedAt: iso(START), children: [group], finishedAt: end },
    } as NodeStatus,
    [group]: {
      ...{ id: group, name: `${wf}[0]`, displayName: "[0]", type: "StepGroup", templateName: "main" },
      ...{ phase: "Succeeded", boundaryID: wf, startedAt: iso(START), children, finishedAt: end },
    } as NodeStatus,
  };
  for (let i = 0; i < items; i++) {
    const display = `item(${i}:${i})`;
    const node = podNode(wf, { name: `${wf}[0].${display}`, display, template: "work", at: START + i * 250 });
    nodes[node.id] = node;
  }
  const onExit = `${wf}.onExit`;
  const handler = podNode(wf, {
    name: onExit,
    display: onExit,
    template: "handler",
    at: START + items * 250 + 2000,
  });
  nodes[handler.id] = handler;
  return {
    phase: "Succeeded",
    startedAt: iso(START),
    progress: `${items + 1}/${items + 1}`,
    nodes,
    artifactRepositoryRef: { default: true },
    finishedAt: end,
    artifactGCStatus: { strategiesProcessed: { OnWorkflowCompletion: true } },
  } as WorkflowStatus;
}

/** The loop's Workflow as the API server would hold it (its own metadata fields included). */
export function loopWorkflowObject(name: string, namespace: string, items: number): Workflow {
  const spec = (parse(loopWorkflow(items, 100)) as { spec: Workflow["spec"] }).spec;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name,
      namespace,
      uid: "6f1c3c1e-4a59-4a1b-9d43-0f6a3a7d2b11",
      resourceVersion: "123456",
      generation: 1,
      creationTimestamp: iso(START),
      labels: { "workflows.argoproj.io/phase": "Succeeded", "workflows.argoproj.io/completed": "true" },
    },
    spec,
    status: loopStatus(name, items),
  } as Workflow;
}

async function bytesOf(items: number, compressed: boolean): Promise<number> {
  const wf = loopWorkflowObject("big-loop-x7k2p", "default", items);
  if (!compressed) return jsonBytes(wf);
  const packed = await packWorkflow(wf, 0, false);
  if (!packed.ok) throw new Error(packed.message);
  return jsonBytes(packed.workflow);
}

/** The largest `n` in [lo, hi) for which `fits(n)` holds, given fits(lo) and not fits(hi). */
async function largest(lo: number, hi: number, fits: (n: number) => Promise<boolean>): Promise<number> {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export interface SizeLimits {
  maxBytes: number;
  /** Largest number of nodes (loop items + 3) whose Workflow fits in maxBytes, as is and compressed. */
  plainNodes: number;
  compressedNodes: number;
  /** Bytes per node, as is and compressed (from 1,000 and 2,000 items). */
  plainPerNode: number;
  compressedPerNode: number;
}

export async function sizeLimits(maxBytes = DEFAULT_MAX_WORKFLOW_SIZE): Promise<SizeLimits> {
  const per = async (compressed: boolean): Promise<number> =>
    ((await bytesOf(2000, compressed)) - (await bytesOf(1000, compressed))) / 1000;
  const plainPerNode = await per(false);
  const compressedPerNode = await per(true);
  // Bytes grow linearly with the items: twice the estimate is surely over the limit.
  const over = (perNode: number): number => Math.ceil((2 * maxBytes) / perNode);
  const fits = (compressed: boolean) => async (n: number) => (await bytesOf(n, compressed)) <= maxBytes;
  const plain = await largest(1, over(plainPerNode), fits(false));
  const packed = await largest(1, over(compressedPerNode), fits(true));
  return { maxBytes, plainNodes: plain + 3, compressedNodes: packed + 3, plainPerNode, compressedPerNode };
}

export interface ApiLimit {
  compressed: boolean;
  /** Most nodes the API server accepted, and the fewest it refused, with its answer. */
  acceptedNodes: number;
  acceptedBytes: number;
  refusedNodes: number;
  refusedBytes: number;
  answer: string;
}

/** Creates the loop's Workflow with its status (as is or compressed): undefined when accepted, else the API's answer. */
async function refusal(
  api: Api,
  namespace: string,
  items: number,
  compressed: boolean,
): Promise<string | undefined> {
  const name = `size-probe-${items}`;
  const {
    resourceVersion: _rv,
    uid: _uid,
    creationTimestamp: _at,
    ...metadata
  } = loopWorkflowObject(name, namespace, items).metadata;
  const wf = { ...loopWorkflowObject(name, namespace, items), metadata };
  const body = compressed ? await packWorkflow(wf, 0, false) : { ok: true as const, workflow: wf };
  if (!body.ok) throw new Error(body.message);
  try {
    await api.post(WORKFLOWS_PATH(namespace), body.workflow);
  } catch (err) {
    if (err instanceof ApiError) return err.message.replace(/^POST \S+: /, "");
    throw err;
  }
  await api.delete(`${WORKFLOWS_PATH(namespace)}/${name}`);
  return undefined;
}

/** `guess`: loop items somewhat above the limit (the search doubles it until refused). */
export async function apiLimit(
  api: Api,
  namespace: string,
  compressed: boolean,
  guess: number,
): Promise<ApiLimit> {
  let answer = "";
  let hi = guess;
  while ((await refusal(api, namespace, hi, compressed)) === undefined) hi *= 2;
  const lo = await largest(1, hi, async (n) => {
    const refused = await refusal(api, namespace, n, compressed);
    if (refused !== undefined) answer = refused;
    return refused === undefined;
  });
  answer ||= (await refusal(api, namespace, lo + 1, compressed)) ?? "";
  const bytes = (n: number): Promise<number> => bytesOf(n, compressed);
  return {
    compressed,
    acceptedNodes: lo + 3,
    acceptedBytes: await bytes(lo),
    refusedNodes: lo + 4,
    refusedBytes: await bytes(lo + 1),
    answer,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const limits = await sizeLimits();
  process.stdout.write(`${JSON.stringify(limits)}\n`);
  if (process.argv.includes("--api")) {
    toolsOnPath();
    const namespace = "onexit-bench-size";
    execFileSync("kubectl", ["create", "namespace", namespace], { stdio: "ignore" });
    const api = await createApi();
    try {
      // etcd's default request limit is 1.5 MiB: start the search a little above it.
      for (const compressed of [false, true]) {
        const atOneMiB = compressed ? limits.compressedNodes : limits.plainNodes;
        const limit = await apiLimit(api, namespace, compressed, Math.ceil(atOneMiB * 1.6));
        process.stdout.write(`${JSON.stringify(limit)}\n`);
      }
    } finally {
      api.close();
      execFileSync("kubectl", ["delete", "namespace", namespace, "--wait=false"], { stdio: "ignore" });
    }
  }
}
