// Samples CPU and memory of known processes, and of every sidecar of one namespace as they
// come and go, between start() and stop(). Runs in its own process (sampler-child.ts) so its
// /proc scans never delay the bench's watch.
import { performance } from "node:perf_hooks";
import type { ProcessRef } from "./processes.ts";
import { onexitComponent } from "./processes.ts";
import {
  bootEpochMs,
  listPids,
  machineCpu,
  procCmdline,
  procEnv,
  procMemory,
  procRunDelaySec,
  procStat,
  type MachineCpu,
} from "./proc.ts";

export interface ComponentUsage {
  component: string;
  pids: number[];
  cpuSec: number;
  /** CPU of children reaped meanwhile (for the agent: the pods' processes). */
  childrenCpuSec: number;
  peakRssMiB: number;
  /** Time its main thread was runnable but waiting for a CPU (schedstat), seconds. */
  runDelaySec: number;
}

export interface SidecarUsage {
  /** onexit's sidecar, or Argo's executor (init, wait, and the emissary around main). */
  kind: "sidecar" | "argoexec";
  pod: string;
  /** Its command line: which entrypoint (bin/onexit.ts or dist/bin/onexit.js) the node runs. */
  cmdline: string;
  pid: number;
  startEpochMs: number;
  peakRssMiB: number;
  cpuSec: number;
}

export interface Usage {
  wallSec: number;
  machineBusySec: number;
  machineCores: number;
  components: ComponentUsage[];
  sidecars: SidecarUsage[];
}

interface Tracked {
  ref: ProcessRef;
  cpu0: number;
  children0: number;
  cpu: number;
  children: number;
  peakRssKiB: number;
  delay0: number;
  delay: number;
}

/** Still on its way through `ip netns exec` / `unshare` / the mount script to its real command. */
function inTransit(cmdline: string): boolean {
  return cmdline.includes("netns exec") || cmdline.startsWith("unshare") || cmdline.includes('exec "$@"');
}

/** Argo's executor as the agent runs it: the host's `argoexec` from PATH. */
export function argoexecCommand(cmdline: string): boolean {
  return /^(\S*\/)?argoexec /.test(cmdline);
}

export interface Sampler {
  start(refs: ProcessRef[], sidecarNamespace: string): void;
  tick(): void;
  /** Sidecars seen in this phase that still run. */
  liveSidecars(): number;
  stop(): Usage;
}

export function createSampler(cores: number): Sampler {
  let tracked: Tracked[] = [];
  let sidecars = new Map<number, SidecarUsage>();
  let bootMs = 0;
  const seen = new Set<number>();
  let namespace = "";
  let t0 = 0;
  let machine0: MachineCpu | undefined;

  const scanSidecars = (): void => {
    for (const pid of listPids()) {
      if (seen.has(pid)) continue;
      const cmdline = procCmdline(pid);
      if (inTransit(cmdline)) continue;
      seen.add(pid);
      const kind =
        onexitComponent(cmdline) === "sidecar"
          ? "sidecar"
          : argoexecCommand(cmdline)
            ? "argoexec"
            : undefined;
      if (kind === undefined) continue;
      const env = procEnv(pid);
      // Argo's executor has no namespace in its environment; the bench is the test cluster's only Argo user.
      if (kind === "sidecar" ? env.POD_NAMESPACE !== namespace : env.ARGO_POD_NAME === undefined) continue;
      const stat = procStat(pid);
      sidecars.set(pid, {
        kind,
        pod: (kind === "sidecar" ? env.POD_NAME : env.ARGO_POD_NAME) ?? "",
        cmdline,
        pid,
        startEpochMs: bootMs + (stat?.startSec ?? 0) * 1000,
        peakRssMiB: 0,
        cpuSec: 0,
      });
    }
    for (const sidecar of sidecars.values()) {
      const memory = procMemory(sidecar.pid);
      const stat = procStat(sidecar.pid);
      if (memory !== undefined) sidecar.peakRssMiB = Math.max(sidecar.peakRssMiB, memory.hwmKiB / 1024);
      if (stat !== undefined) sidecar.cpuSec = stat.cpuSec;
    }
  };

  return {
    start(refs, sidecarNamespace) {
      namespace = sidecarNamespace;
      sidecars = new Map();
      // Whatever runs now is not this phase's sidecar; processes seen later are.
      for (const pid of listPids()) if (!inTransit(procCmdline(pid))) seen.add(pid);
      tracked = refs.map((ref) => {
        const stat = procStat(ref.pid);
        const cpu = stat?.cpuSec ?? 0;
        const children = stat?.childrenCpuSec ?? 0;
        const delay = procRunDelaySec(ref.pid) ?? 0;
        return { ref, cpu0: cpu, children0: children, cpu, children, peakRssKiB: 0, delay0: delay, delay };
      });
      machine0 = machineCpu();
      bootMs = bootEpochMs();
      t0 = performance.now();
    },
    tick() {
      for (const t of tracked) {
        const stat = procStat(t.ref.pid);
        const memory = procMemory(t.ref.pid);
        if (stat !== undefined) {
          t.cpu = stat.cpuSec;
          t.children = stat.childrenCpuSec;
        }
        if (memory !== undefined) t.peakRssKiB = Math.max(t.peakRssKiB, memory.rssKiB);
        t.delay = procRunDelaySec(t.ref.pid) ?? t.delay;
      }
      if (namespace !== "") scanSidecars();
    },
    liveSidecars() {
      let live = 0;
      for (const sidecar of sidecars.values()) if (procStat(sidecar.pid) !== undefined) live++;
      return live;
    },
    stop() {
      this.tick();
      const machine1 = machineCpu();
      const byComponent = new Map<string, ComponentUsage>();
      for (const t of tracked) {
        const usage = byComponent.get(t.ref.component) ?? {
          component: t.ref.component,
          pids: [],
          cpuSec: 0,
          childrenCpuSec: 0,
          peakRssMiB: 0,
          runDelaySec: 0,
        };
        usage.pids.push(t.ref.pid);
        usage.cpuSec += t.cpu - t.cpu0;
        usage.childrenCpuSec += t.children - t.children0;
        usage.peakRssMiB = Math.max(usage.peakRssMiB, t.peakRssKiB / 1024);
        usage.runDelaySec += t.delay - t.delay0;
        byComponent.set(t.ref.component, usage);
      }
      const result: Usage = {
        wallSec: (performance.now() - t0) / 1000,
        machineBusySec: (machine1?.busySec ?? 0) - (machine0?.busySec ?? 0),
        machineCores: cores,
        components: [...byComponent.values()],
        sidecars: [...sidecars.values()],
      };
      tracked = [];
      namespace = "";
      return result;
    },
  };
}
