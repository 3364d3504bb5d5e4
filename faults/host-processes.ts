// The host processes behind the test cluster's pods, so a fault can kill exactly them: on the
// kubelet node a container's processes are those whose cgroup path holds containerd's id for it;
// the process agent runs a pod's containers as host processes in the pod's network namespace
// /run/netns/onexit-<uid10>.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { onexitComponent, onexitPods, stateDir } from "../bench/processes.ts";
import { listPids, procCmdline, procEnv, procNetns } from "../bench/proc.ts";
import { WAIT_CONTAINER } from "../common/names.ts";

export type NodeKind = "kubelet" | "agent";

/** The kind of node the local test cluster runs (up.sh writes it). */
export function nodeKind(): NodeKind {
  try {
    return readFileSync(join(stateDir(), "node-kind"), "utf8").trim() === "agent" ? "agent" : "kubelet";
  } catch {
    return "kubelet";
  }
}

/** What a pod's status says about its containers (containerID: `containerd://<id>` or the agent's). */
export interface PodContainers {
  metadata: { uid: string };
  status?: { containerStatuses?: { name: string; containerID?: string }[] };
}

function procCgroup(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, "utf8");
  } catch {
    return "";
  }
}

/** The host processes of one of the pod's containers (the pause process never counts). */
export function containerPids(pod: PodContainers, container: string): number[] {
  const id = pod.status?.containerStatuses?.find((c) => c.name === container)?.containerID ?? "";
  const containerd = /^containerd:\/\/([0-9a-f]{64})$/.exec(id)?.[1];
  if (containerd !== undefined)
    return listPids().filter((pid) => pid !== process.pid && procCgroup(pid).includes(containerd));
  const sidecar = container === WAIT_CONTAINER;
  return podPids(pod.metadata.uid).filter((pid) => isSidecarProcess(pid) === sidecar);
}

const ROOT = new URL("..", import.meta.url).pathname;

/** The coordinator process of a pod, found by the pod name the chart puts in its environment
 * (the agent's pods by their network namespace; on the kubelet node any process of this host). */
export function coordinatorPid(pod: string): number | undefined {
  const agentPod = onexitPods().find(
    (p) => p.component === "coordinator" && procEnv(p.pid).ONEXIT_POD_NAME === pod,
  );
  if (agentPod !== undefined || nodeKind() === "agent") return agentPod?.pid;
  return listPids().find(
    (pid) => onexitComponent(procCmdline(pid)) === "coordinator" && procEnv(pid).ONEXIT_POD_NAME === pod,
  );
}

/** Processes inside the pod's network namespace (its containers), by the agent's netns naming. */
export function podPids(uid: string): number[] {
  const netns = `/run/netns/onexit-${uid.replace(/-/g, "").slice(0, 10)}`;
  let inode: number;
  try {
    inode = statSync(netns).ino;
  } catch {
    return [];
  }
  return listPids().filter((pid) => pid !== process.pid && procNetns(pid) === inode);
}

export function isSidecarProcess(pid: number): boolean {
  return /bin\/onexit\.[jt]s\s+sidecar\b/.test(procCmdline(pid));
}

export function killPids(pids: number[], signal: NodeJS.Signals = "SIGKILL"): number {
  let killed = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

/** A control-plane or node process (kube-apiserver, agent, kubelet, containerd, ...) by its pid file. */
export function controlPlanePid(name: string): number | undefined {
  try {
    const pid = Number(
      readFileSync(join(stateDir(), `${name}.pid`), "utf8")
        .trim()
        .split(/\s+/)[0],
    );
    return Number.isInteger(pid) && pid > 0 && procCmdline(pid) !== "" ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** test/cluster/up.sh restarts whatever is down (and waits until the cluster is ready again). */
export function clusterUp(): void {
  const up = spawnSync("bash", [join(ROOT, "test/cluster/up.sh")], {
    cwd: ROOT,
    env: process.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (up.status !== 0) throw new Error(`test/cluster/up.sh failed: ${up.stderr.slice(-2000)}`);
}
