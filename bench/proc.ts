// Reads of /proc for one process or the whole machine. Every reader returns undefined when
// the process is gone (or /proc is not Linux's), never throws.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** USER_HZ: 100 on every Linux the bench cares about. */
export const CLOCK_TICKS = 100;

export interface ProcStat {
  /** Own user + system CPU, seconds. */
  cpuSec: number;
  /** CPU of waited-for children, seconds. */
  childrenCpuSec: number;
  /** Start time, seconds after boot. */
  startSec: number;
}

export interface ProcMemory {
  rssKiB: number;
  /** Peak RSS since the process started. */
  hwmKiB: number;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export function procStat(pid: number): ProcStat | undefined {
  const text = read(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // Fields after the command (which may contain spaces and parentheses), from field 3 on.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number): number => Number(fields[n - 3]);
  return {
    cpuSec: (field(14) + field(15)) / CLOCK_TICKS,
    childrenCpuSec: (field(16) + field(17)) / CLOCK_TICKS,
    startSec: field(22) / CLOCK_TICKS,
  };
}

export function procMemory(pid: number): ProcMemory | undefined {
  const text = read(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
}

export function procCmdline(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ").trim();
}

export function procEnv(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of (read(`/proc/${pid}/environ`) ?? "").split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The inode of the process's network namespace (`net:[N]`). */
export function procNetns(pid: number): number | undefined {
  try {
    return Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1]);
  } catch {
    return undefined;
  }
}

export function listPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

export interface MachineCpu {
  busySec: number;
  totalSec: number;
}

/** Boot time in epoch milliseconds, to 10 ms (from /proc/uptime; /proc/stat's btime is whole seconds). */
export function bootEpochMs(): number {
  const uptime = Number((read("/proc/uptime") ?? "0").split(" ")[0]);
  return Date.now() - uptime * 1000;
}

export function machineCpu(): MachineCpu | undefined {
  const text = read("/proc/stat");
  if (text === undefined) return undefined;
  const cpu = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? "").split(/\s+/).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return {
    busySec: (total - idle) / CLOCK_TICKS,
    totalSec: total / CLOCK_TICKS,
  };
}

/** Seconds the process's main thread has waited on a run queue (schedstat's run delay). */
export function procRunDelaySec(pid: number): number | undefined {
  const text = read(`/proc/${pid}/schedstat`);
  if (text === undefined) return undefined;
  return Number(text.split(" ")[1]) / 1e9;
}
