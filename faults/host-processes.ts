// The host processes behind the test cluster's pods: the process agent runs a pod's containers
// as host processes in the pod's network namespace /run/netns/onexit-<uid10>, so a fault can
// kill exactly them.
import { statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { controlPlane, onexitPods } from "../bench/processes.ts";
import { listPids, procCmdline, procEnv, procNetns } from "../bench/proc.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** The coordinator process of a pod, found by the pod name the chart puts in its environment. */
export function coordinatorPid(pod: string): number | undefined {
  return onexitPods().find((p) => p.component === "coordinator" && procEnv(p.pid).ONEXIT_POD_NAME === pod)
    ?.pid;
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

/** A control-plane process (kube-apiserver, agent, ...) by its pid file. */
export function controlPlanePid(name: string): number | undefined {
  return controlPlane().find((r) => r.component === name)?.pid;
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
