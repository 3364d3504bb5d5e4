// Where a V8 CPU profile (.cpuprofile, from --cpu-prof or the inspector) spends its time: self
// time by function and by origin (an npm package, a project folder, Node's internals, GC).
// `node bench/profile-summary.ts FILE.cpuprofile [TOP]` prints both tables.
import { readFileSync } from "node:fs";
import { table } from "./report.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface Share {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Without (idle): time the thread was doing something. */
  busyMs: number;
  byFunction: Share[];
  byOrigin: Share[];
}

/** The package or project folder a script URL belongs to. */
export function originOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1] as string;
  const project = /\/(bin|common|coordinator|webhook|sidecar|bench|test)\//.exec(url);
  return project !== null ? `onexit ${project[1]}/` : url;
}

function shares(map: Map<string, number>, busyMs: number, top: number): Share[] {
  return [...map]
    .map(([name, ms]) => ({ name, ms, percent: (ms / busyMs) * 100 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const selfMs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A sample's time is the delta to the next sample.
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    totalMs += ms;
    if (functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const file = url.replace(/^.*\/(node_modules\/|work\/main\/)/, "");
    const fn = `${functionName || "(anonymous)"} ${file}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    const origin = originOf(url, functionName);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  return {
    totalMs,
    busyMs,
    byFunction: shares(byFunction, busyMs, top),
    byOrigin: shares(byOrigin, busyMs, top),
  };
}

export function renderProfile(summary: ProfileSummary): string {
  const rows = (list: Share[]): string[][] =>
    list.map((s) => [s.name, s.ms.toFixed(0), `${s.percent.toFixed(1)}%`]);
  return [
    `profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy`,
    table(["origin", "self ms", "of busy"], rows(summary.byOrigin)),
    table(["function", "self ms", "of busy"], rows(summary.byFunction)),
  ].join("\n\n");
}

if (import.meta.main) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write("usage: node bench/profile-summary.ts FILE.cpuprofile [TOP]\n");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  process.stdout.write(renderProfile(summarizeProfile(profile, Number(top ?? 15))) + "\n");
}
