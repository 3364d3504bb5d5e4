// Pure: CPU by component over one run, and which one limits it. A Node.js process (coordinator,
// webhook, agent) is single-threaded, so near 100% of one core it is the bottleneck; otherwise,
// with the machine's cores busy, the largest consumer of the saturated CPU is.
import type { Usage } from "./sampler.ts";

export interface ComponentCpu {
  component: string;
  cpuSec: number;
  /** Of one core over the run's wall time. */
  percentOfCore: number;
  /** Of all CPU time the machine spent busy during the run. */
  percentOfBusy: number;
  peakRssMiB?: number;
  /** Its main thread's wait for a CPU, % of the wall time (how starved it was). */
  runQueuePercent?: number;
}

export interface CpuBreakdown {
  wallSec: number;
  machinePercent: number;
  components: ComponentCpu[];
  bottleneck: string;
}

const SINGLE_THREADED = new Set(["coordinator", "webhook", "agent"]);
/** The agent's reaped children: every pod's processes (sidecars, steps) and its ip/iptables calls. */
export const POD_PROCESSES = "pod processes";

export function cpuBreakdown(usage: Usage): CpuBreakdown {
  const wall = Math.max(usage.wallSec, 1e-9);
  const busy = Math.max(usage.machineBusySec, 1e-9);
  const entries: { component: string; cpuSec: number; peakRssMiB?: number; runQueuePercent?: number }[] = [];
  for (const c of usage.components) {
    const runQueuePercent = (c.runDelaySec / wall / c.pids.length) * 100;
    entries.push({ component: c.component, cpuSec: c.cpuSec, peakRssMiB: c.peakRssMiB, runQueuePercent });
    if (c.component === "agent") entries.push({ component: POD_PROCESSES, cpuSec: c.childrenCpuSec });
  }
  const known = entries.reduce((total, e) => total + e.cpuSec, 0);
  entries.push({ component: "other (rest of the host)", cpuSec: Math.max(0, usage.machineBusySec - known) });
  const components = entries
    .map((e) => ({ ...e, percentOfCore: (e.cpuSec / wall) * 100, percentOfBusy: (e.cpuSec / busy) * 100 }))
    .sort((a, b) => b.cpuSec - a.cpuSec);
  const machinePercent = (usage.machineBusySec / (wall * usage.machineCores)) * 100;
  return {
    wallSec: usage.wallSec,
    machinePercent,
    components,
    bottleneck: verdict(components, machinePercent),
  };
}

function verdict(components: ComponentCpu[], machinePercent: number): string {
  const saturated = components.find((c) => SINGLE_THREADED.has(c.component) && c.percentOfCore >= 85);
  if (saturated !== undefined)
    return `${saturated.component} (one core, ${saturated.percentOfCore.toFixed(0)}% busy)`;
  const top = components[0];
  if (machinePercent >= 85 && top !== undefined)
    return `machine CPU (${machinePercent.toFixed(0)}% of all cores); largest consumer: ${top.component} ${top.percentOfBusy.toFixed(0)}%`;
  return `none saturated (machine CPU ${machinePercent.toFixed(0)}%): latency-bound`;
}
