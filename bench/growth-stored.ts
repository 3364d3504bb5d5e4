// Issue 14 item 4: how stored workflows grow the coordinator's start. N completed one-step
// workflows are created directly with a status (no pods) while the coordinator is scaled to 0;
// then it is scaled back and each replica's time from its first log line to "informer synced"
// (informer=workflows) and its RSS once its work has settled are read.
// `node bench/growth-stored.ts [N,...]` (cumulative: 100,1000,10000) against KUBECONFIG's cluster
// with onexit installed; prints a table. `make bench` does not run it.
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { createApi, type Api } from "./api.ts";
import { procMemory } from "./proc.ts";
import { onexitPods } from "./processes.ts";
import { table } from "./report.ts";
import { ensureOnexit, toolsOnPath } from "./setup.ts";
import { oneStepWorkflow, WORKFLOWS_PATH } from "./workflows.ts";

const NAMESPACE = "onexit-bench-stored";
const RELEASE_NAMESPACE = "onexit";

export interface StoredGrowth {
  workflows: number;
  /** Per replica: first log line → workflows informer synced, ms. */
  syncMs: number[];
  /** Per replica: VmRSS 20 s after the sync, MiB. */
  rssMiB: number[];
}

function kubectl(...args: string[]): string {
  return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

function coordinatorDeployment(): string {
  const names = kubectl("-n", RELEASE_NAMESPACE, "get", "deploy", "-o", "name").split("\n");
  const found = names.find((n) => n.endsWith("coordinator"));
  if (found === undefined) throw new Error(`no coordinator Deployment in ${RELEASE_NAMESPACE}`);
  return found;
}

/** What a finished one-step workflow with an exit handler stores. */
export function completedStatus(name: string, at: string): unknown {
  const node = (id: string, displayName: string, type: string): unknown => ({
    id,
    name: id === name ? name : `${name}.${displayName}`,
    displayName,
    type,
    phase: "Succeeded",
    startedAt: at,
    finishedAt: at,
    progress: "1/1",
    ...(type === "Pod"
      ? { templateName: displayName, outputs: { exitCode: "0" }, hostNodeName: "onexit-node" }
      : {}),
  });
  return {
    phase: "Succeeded",
    startedAt: at,
    finishedAt: at,
    progress: "2/2",
    nodes: {
      [name]: node(name, name, "Pod"),
      [`${name}-handler`]: node(`${name}-handler`, "onExit", "Pod"),
    },
  };
}

async function createStored(api: Api, from: number, to: number): Promise<void> {
  let next = from;
  const at = new Date().toISOString();
  const worker = async (): Promise<void> => {
    while (next < to) {
      const name = `stored-${next++}`;
      const created = await api.post<{ metadata: Record<string, unknown> }>(
        WORKFLOWS_PATH(NAMESPACE),
        oneStepWorkflow(name),
      );
      await api.put(`${WORKFLOWS_PATH(NAMESPACE)}/${name}/status`, {
        ...created,
        status: completedStatus(name, at),
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function logTime(line: string): number {
  return Date.parse(/time=(\S+)/.exec(line)?.[1] ?? "");
}

async function measureStart(deployment: string, replicas: number, workflows: number): Promise<StoredGrowth> {
  kubectl("-n", RELEASE_NAMESPACE, "scale", deployment, `--replicas=${replicas}`);
  kubectl("-n", RELEASE_NAMESPACE, "rollout", "status", deployment, "--timeout=300s");
  const pods = kubectl("-n", RELEASE_NAMESPACE, "get", "pods", "-o", "name")
    .split("\n")
    .filter((p) => p.includes("coordinator"));
  const syncMs: number[] = [];
  const deadline = Date.now() + 300_000;
  for (const pod of pods) {
    for (;;) {
      const lines = kubectl("-n", RELEASE_NAMESPACE, "logs", pod).split("\n");
      const synced = lines.find(
        (l) => l.includes('msg="informer synced"') && l.includes("informer=workflows"),
      );
      if (synced !== undefined) {
        syncMs.push(logTime(synced) - logTime(lines[0] ?? ""));
        break;
      }
      if (Date.now() > deadline) throw new Error(`${pod}: no "informer synced" for workflows after 300 s`);
      await sleep(1000);
    }
  }
  await sleep(20_000);
  const rssMiB = onexitPods()
    .filter((p) => p.component === "coordinator")
    .map((p) => Math.round((procMemory(p.pid)?.rssKiB ?? Number.NaN) / 1024));
  return { workflows, syncMs, rssMiB };
}

export async function growStored(sizes: number[]): Promise<StoredGrowth[]> {
  toolsOnPath();
  ensureOnexit((line) => process.stderr.write(`${line}\n`));
  const api = await createApi();
  const deployment = coordinatorDeployment();
  const replicas = Number(
    kubectl("-n", RELEASE_NAMESPACE, "get", deployment, "-o", "jsonpath={.spec.replicas}"),
  );
  kubectl("create", "namespace", NAMESPACE);
  const rows: StoredGrowth[] = [];
  let stored = 0;
  try {
    for (const n of sizes) {
      kubectl("-n", RELEASE_NAMESPACE, "scale", deployment, "--replicas=0");
      kubectl(
        "-n",
        RELEASE_NAMESPACE,
        "wait",
        "--for=delete",
        "pod",
        "-l",
        "app.kubernetes.io/component=coordinator",
        "--timeout=120s",
      );
      await createStored(api, stored, n);
      stored = n;
      process.stderr.write(`${n} workflows stored; starting the coordinator\n`);
      rows.push(await measureStart(deployment, replicas, n));
    }
  } finally {
    kubectl("-n", RELEASE_NAMESPACE, "scale", deployment, `--replicas=${replicas}`);
    await api.delete(WORKFLOWS_PATH(NAMESPACE)).catch(() => undefined);
    kubectl("delete", "namespace", NAMESPACE, "--wait=false");
    api.close();
  }
  return rows;
}

export function renderStoredGrowth(rows: StoredGrowth[]): string {
  return table(
    [
      "stored workflows",
      "first log line → informer synced, ms (each replica)",
      "RSS MiB 20 s later (each replica)",
    ],
    rows.map((r) => [String(r.workflows), r.syncMs.join(", "), r.rssMiB.join(", ")]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? "100,1000,10000").split(",").map(Number);
  process.stdout.write(renderStoredGrowth(await growStored(sizes)) + "\n");
}
