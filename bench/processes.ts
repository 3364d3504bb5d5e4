// Finds the test cluster's processes on this host: the control plane and agent from their pid
// files in $ONEXIT_STATE, onexit's pods by command line inside a network namespace that this
// host's agent created (/run/netns/onexit-*), so another cluster on the same host never counts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { listPids, procCmdline, procEnv, procNetns, procStat } from "./proc.ts";

export interface ProcessRef {
  component: string;
  pid: number;
  /** Pod name for pod processes. */
  pod?: string;
}

const PID_FILES = ["kube-apiserver", "etcd", "kube-controller-manager", "agent"];

export function stateDir(): string {
  return process.env.ONEXIT_STATE ?? "/tmp/onexit-cluster";
}

function pidFromFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 && procStat(pid) !== undefined ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Inodes of the network namespaces the agent made for its pods. */
export function agentNetnsInodes(): Set<number> {
  const inodes = new Set<number>();
  try {
    for (const name of readdirSync("/run/netns")) {
      if (!name.startsWith("onexit-")) continue;
      try {
        inodes.add(statSync(`/run/netns/${name}`).ino);
      } catch {
        // removed meanwhile
      }
    }
  } catch {
    // no netns at all
  }
  return inodes;
}

/** The onexit component a command line runs, if any (`.../bin/onexit.ts <component>`, or dist/bin/onexit.js). */
export function onexitComponent(cmdline: string): string | undefined {
  return /bin\/onexit\.[jt]s (coordinator|webhook|sidecar)\b/.exec(cmdline)?.[1];
}

export function controlPlane(dir = stateDir()): ProcessRef[] {
  const refs: ProcessRef[] = [];
  for (const name of PID_FILES) {
    const pid = pidFromFile(`${dir}/${name}.pid`);
    if (pid !== undefined) refs.push({ component: name, pid });
  }
  return refs;
}

/** Coordinator and webhook processes of this host's test cluster. */
export function onexitPods(): ProcessRef[] {
  const inodes = agentNetnsInodes();
  const refs: ProcessRef[] = [];
  for (const pid of listPids()) {
    const component = onexitComponent(procCmdline(pid));
    if (component === undefined || component === "sidecar") continue;
    const netns = procNetns(pid);
    if (netns === undefined || !inodes.has(netns)) continue;
    refs.push({ component, pid, pod: procEnv(pid).HOSTNAME ?? "" });
  }
  return refs;
}

export function discover(): ProcessRef[] {
  return [...controlPlane(), ...onexitPods()];
}
