// The side-by-side table of issue 14, pure: per-system measures pivoted into one metric →
// {onexit, argoDefault, argo1s} document, the ratios, and the printed table.
import type { Usage } from "./sampler.ts";
import type { Summary } from "./stats.ts";
import { table } from "./report.ts";

export const SYSTEMS = ["onexit", "argoDefault", "argo1s"] as const;
export type SystemKey = (typeof SYSTEMS)[number];
export type PerSystem<T> = Record<SystemKey, T>;

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** CPU-seconds per workflow at the top level, by process. */
export interface CpuByProcess {
  apiServer: number;
  etcd: number;
  controllerManager: number;
  agent: number;
  /** onexit's coordinator, or Argo's workflow-controller. */
  coordinatorOrController: number;
  /** onexit's webhook (Argo has none). */
  webhook: number;
  /** onexit's sidecars or Argo's argoexec processes: sampled every 200 ms, so short ones under-count. */
  sidecarsOrArgoexec: number;
  /** The rest of the pods' processes (the agent's reaped children): `main`, the mount plumbing. */
  mainAndPodPlumbing: number;
  /** Not this cluster's: the machine's busy time less every process above and the bench (other
   *  users of the host). Not part of any system's cost; it says how much a run was disturbed. */
  restOfHost: number;
}

export interface SystemMeasure {
  /** By level, "c1", "c20", "c100" (or the smaller levels of a quick run). */
  handlerStartMs: Record<string, Percentiles>;
  handlerStartFailedStepMs: Percentiles;
  throughputPerMin: Record<string, number>;
  cpuByProcess: CpuByProcess;
}

export interface SideBySide {
  handlerStartMs: PerSystem<Record<string, Percentiles>>;
  handlerStartFailedStepMs: PerSystem<Percentiles>;
  throughputPerMin: PerSystem<Record<string, number>>;
  ownCpuSecondsPerWorkflow: PerSystem<number>;
  controllerCpuSecondsPerWorkflow: PerSystem<number>;
  cpuSecondsPerWorkflowByProcess: PerSystem<CpuByProcess>;
}

export function percentiles(s: Summary): Percentiles {
  return { p50: s.p50, p95: s.p95, p99: s.p99, max: s.max };
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** One level's usage divided by its workflows; the pods' processes are the agent's reaped children. */
/** Every sampled process (the bench's too) and the pods' processes. */
function ownTotal(usage: Usage): number {
  return usage.components.reduce((t, c) => t + c.cpuSec + c.childrenCpuSec, 0);
}

export function cpuByProcess(usage: Usage, workflows: number): CpuByProcess {
  const cpu = (component: string): number =>
    usage.components.filter((c) => c.component === component).reduce((t, c) => t + c.cpuSec, 0);
  const podProcesses = usage.components
    .filter((c) => c.component === "agent")
    .reduce((t, c) => t + c.childrenCpuSec, 0);
  const executors = usage.sidecars.reduce((t, s) => t + s.cpuSec, 0);
  const per = (v: number): number => (workflows > 0 ? round3(v / workflows) : Number.NaN);
  return {
    apiServer: per(cpu("kube-apiserver")),
    etcd: per(cpu("etcd")),
    controllerManager: per(cpu("kube-controller-manager")),
    agent: per(cpu("agent")),
    coordinatorOrController: per(cpu("coordinator") + cpu("workflow-controller")),
    webhook: per(cpu("webhook")),
    sidecarsOrArgoexec: per(executors),
    mainAndPodPlumbing: per(Math.max(0, podProcesses - executors)),
    restOfHost: per(Math.max(0, usage.machineBusySec - ownTotal(usage))),
  };
}

function bySystem<T>(measures: PerSystem<SystemMeasure>, pick: (m: SystemMeasure) => T): PerSystem<T> {
  return {
    onexit: pick(measures.onexit),
    argoDefault: pick(measures.argoDefault),
    argo1s: pick(measures.argo1s),
  };
}

export function sideBySide(measures: PerSystem<SystemMeasure>): SideBySide {
  return {
    handlerStartMs: bySystem(measures, (m) => m.handlerStartMs),
    handlerStartFailedStepMs: bySystem(measures, (m) => m.handlerStartFailedStepMs),
    throughputPerMin: bySystem(measures, (m) => m.throughputPerMin),
    ownCpuSecondsPerWorkflow: bySystem(measures, (m) =>
      round3(
        m.cpuByProcess.coordinatorOrController + m.cpuByProcess.webhook + m.cpuByProcess.sidecarsOrArgoexec,
      ),
    ),
    controllerCpuSecondsPerWorkflow: bySystem(measures, (m) =>
      round3(m.cpuByProcess.coordinatorOrController + m.cpuByProcess.webhook),
    ),
    cpuSecondsPerWorkflowByProcess: bySystem(measures, (m) => m.cpuByProcess),
  };
}

/** onexit ÷ the other; for latency and CPU below 1 is onexit's win, for throughput above 1. */
export function ratio(onexit: number, other: number): number {
  return other > 0 && Number.isFinite(onexit) ? Math.round((onexit / other) * 100) / 100 : Number.NaN;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return "-";
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(3);
}

function row(name: string, values: PerSystem<number>): string[] {
  return [
    name,
    fmt(values.onexit),
    fmt(values.argoDefault),
    fmt(values.argo1s),
    fmt(ratio(values.onexit, values.argoDefault)),
    fmt(ratio(values.onexit, values.argo1s)),
  ];
}

function latencyRows(label: string, per: PerSystem<Percentiles>): string[][] {
  return (["p50", "p95", "p99", "max"] as const).map((p) =>
    row(
      `${label} ${p}`,
      bySystemValue(per, (x) => x[p]),
    ),
  );
}

function bySystemValue<T>(per: PerSystem<T>, pick: (x: T) => number): PerSystem<number> {
  return { onexit: pick(per.onexit), argoDefault: pick(per.argoDefault), argo1s: pick(per.argo1s) };
}

const MISSING: Percentiles = { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };

function atLevel(per: PerSystem<Record<string, Percentiles>>, level: string): PerSystem<Percentiles> {
  return {
    onexit: per.onexit[level] ?? MISSING,
    argoDefault: per.argoDefault[level] ?? MISSING,
    argo1s: per.argo1s[level] ?? MISSING,
  };
}

export function renderSideBySide(s: SideBySide): string {
  const levels = Object.keys(s.handlerStartMs.onexit);
  const rows: string[][] = [];
  for (const level of levels)
    rows.push(...latencyRows(`handler start ms, ${level}`, atLevel(s.handlerStartMs, level)));
  const top = levels[levels.length - 1] ?? "";
  rows.push(...latencyRows(`handler start ms, failing step, ${top}`, s.handlerStartFailedStepMs));
  for (const level of Object.keys(s.throughputPerMin.onexit))
    rows.push(
      row(
        `throughput wf/min, ${level}`,
        bySystemValue(s.throughputPerMin, (x) => x[level] ?? Number.NaN),
      ),
    );
  rows.push(row(`own CPU-s/wf, ${top}`, s.ownCpuSecondsPerWorkflow));
  rows.push(row(`coordinator+webhook / controller CPU-s/wf, ${top}`, s.controllerCpuSecondsPerWorkflow));
  for (const key of Object.keys(s.cpuSecondsPerWorkflowByProcess.onexit) as (keyof CpuByProcess)[])
    rows.push(
      row(
        `  CPU-s/wf ${key}`,
        bySystemValue(s.cpuSecondsPerWorkflowByProcess, (x) => x[key]),
      ),
    );
  return table(
    ["metric", "onexit", "Argo default", "Argo 1 s requeue", "onexit ÷ Argo default", "onexit ÷ Argo 1 s"],
    rows,
  );
}

function measureOf(s: SideBySide, key: SystemKey): SystemMeasure {
  return {
    handlerStartMs: s.handlerStartMs[key],
    handlerStartFailedStepMs: s.handlerStartFailedStepMs[key],
    throughputPerMin: s.throughputPerMin[key],
    cpuByProcess: s.cpuSecondsPerWorkflowByProcess[key],
  };
}

/** The same table with another onexit run in onexit's column (the run after Argo's). */
export function withOnexit(s: SideBySide, onexit: SystemMeasure): SideBySide {
  return sideBySide({ onexit, argoDefault: measureOf(s, "argoDefault"), argo1s: measureOf(s, "argo1s") });
}
