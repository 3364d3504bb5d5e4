// The JSON a run leaves in bench/results/: the figures the README quotes, in one document.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpuBreakdown, type CpuBreakdown } from "./bottleneck.ts";
import type { LoadRunResult } from "./load-run.ts";
import type { SidecarBenchResult } from "./sidecar-bench.ts";
import { summarize, type Summary } from "./stats.ts";
import type { WebhookBenchResult } from "./webhook-bench.ts";
import type { HostSpeed } from "./host-speed.ts";
import type { SideBySide, SystemMeasure } from "./side-table.ts";

export interface LevelSummary {
  concurrency: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export interface LoadLevel {
  concurrency: number;
  role: "latency" | "scaling" | "latency+scaling";
  finished: number;
  failed: number;
  createSec: number;
  makespanSec: number;
  workflowsPerMinute: number;
  apiRequestsPerWorkflow: number;
  apiTop: [string, number][];
  coordinatorRequestsPerWorkflow: number;
  coordinatorStaleReconciles: number;
  coordinatorReconcilesPerWorkflow: number;
  /** Mean reconcile duration (onexit_reconcile_duration_seconds), ms: with 4 workers, the queue's pace. */
  coordinatorReconcileMeanMs: number;
  /** The coordinator's own onexit_exit_handler_start_latency_milliseconds mean over the level. */
  coordinatorHandlerStartMeanMs: number;
  coordinatorRequestsByVerbPerWorkflow: Record<string, number>;
  phasesMs: Record<string, Summary>;
  cpu: CpuBreakdown | undefined;
  sidecarPeakRssMiB: Summary | undefined;
}

export interface BenchResults {
  date: string;
  quick: boolean;
  host: { cores: number; cpu: string; memoryGiB: number; speed?: HostSpeed };
  cluster: { server: string; version: string };
  /** Command lines of onexit's processes during the run (TypeScript sources or tsc's dist/). */
  entrypoints: Record<string, string>;
  config: Record<string, unknown>;
  handlerStartMs: LevelSummary[];
  workflowMs: LevelSummary[];
  /** One workflow at a time whose step sleeps 1 s: the sidecar is already watching when main exits. */
  handlerStartWarmStepMs?: Summary;
  warmStepPhasesMs?: Record<string, Summary>;
  load: LoadLevel[];
  webhook?: WebhookBenchResult;
  sidecar?: SidecarBenchResult;
  /** Issue 14: onexit and Argo Workflows (defaults, 1 s requeue) in the same run. */
  sideBySide?: SideBySide;
  /** onexit's second run, after Argo's. */
  sideBySideOnexitAfter?: SystemMeasure;
  notes: string[];
}

function level(concurrency: number, s: Summary): LevelSummary {
  return { concurrency, p50: s.p50, p95: s.p95, p99: s.p99, max: s.max, count: s.count };
}

function ratio(a: number | undefined, b: number | undefined): number {
  return a === undefined || b === undefined || b === 0 ? Number.NaN : a / b;
}

export function loadLevel(run: LoadRunResult, role: LoadLevel["role"]): LoadLevel {
  const perWorkflow = (n: number): number => (run.finished > 0 ? n / run.finished : Number.NaN);
  const sidecars = run.usage?.sidecars ?? [];
  return {
    concurrency: run.concurrency,
    role,
    finished: run.finished,
    failed: run.failed,
    createSec: run.createSec,
    makespanSec: run.makespanSec,
    workflowsPerMinute: run.perMinute,
    apiRequestsPerWorkflow: perWorkflow(run.apiRequests),
    apiTop: run.apiTop,
    coordinatorRequestsPerWorkflow: perWorkflow(run.coordinator?.k8sRequests ?? Number.NaN),
    coordinatorStaleReconciles: run.coordinator?.staleReconciles ?? Number.NaN,
    coordinatorReconcilesPerWorkflow: perWorkflow(run.coordinator?.reconciles ?? Number.NaN),
    coordinatorReconcileMeanMs: ratio(run.coordinator?.reconcileSeconds, run.coordinator?.reconciles) * 1000,
    coordinatorHandlerStartMeanMs: ratio(
      run.coordinator?.handlerLatencySumMs,
      run.coordinator?.handlerLatencyCount,
    ),
    coordinatorRequestsByVerbPerWorkflow: Object.fromEntries(
      Object.entries(run.coordinator?.requestsByVerb ?? {}).map(([verb, n]) => [verb, perWorkflow(n)]),
    ),
    phasesMs: run.phasesMs,
    cpu: run.usage ? cpuBreakdown(run.usage) : undefined,
    sidecarPeakRssMiB: sidecars.length > 0 ? summarize(sidecars.map((s) => s.peakRssMiB)) : undefined,
  };
}

export function levelSummaries(runs: LoadRunResult[]): Pick<BenchResults, "handlerStartMs" | "workflowMs"> {
  return {
    handlerStartMs: runs.map((r) => level(r.concurrency, r.handlerStartMs)),
    workflowMs: runs.map((r) => level(r.concurrency, r.workflowMs)),
  };
}

/** bench/results/<YYYY-MM-DD>[-quick][-N].json, never overwriting an earlier run. */
export function writeResults(results: BenchResults, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const base = results.date.slice(0, 10) + (results.quick ? "-quick" : "");
  let path = join(dir, `${base}.json`);
  for (let n = 2; existsSync(path); n++) path = join(dir, `${base}-${n}.json`);
  writeFileSync(
    path,
    JSON.stringify(
      results,
      (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
      2,
    ) + "\n",
  );
  return path;
}
