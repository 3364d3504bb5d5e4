// One load level: N one-step workflows with an exit handler created at once; waits for all of
// them to finish and measures them on the bench's one clock, with CPU/RSS and API requests.
import { performance } from "node:perf_hooks";
import type { Api } from "./api.ts";
import { coordinatorSnapshot, diffSnapshots, type CoordinatorSnapshot } from "./coordinator-metrics.ts";
import type { ProcessRef } from "./processes.ts";
import { diffCounts, parseRequestCounts, topCounts, totalCount, type Counts } from "./request-counts.ts";
import type { SamplerClient } from "./sampler-client.ts";
import type { Usage } from "./sampler.ts";
import { summarize, type Summary } from "./stats.ts";
import { createTimeline, type Milestones, type Timeline } from "./timeline.ts";
import { oneStepWorkflow, WORKFLOWS_PATH } from "./workflows.ts";

export interface LoadRunOptions {
  api: Api;
  namespace: string;
  concurrency: number;
  /** Unique prefix of this run's workflow names. */
  prefix: string;
  timeoutMs: number;
  /** Create requests in flight at once. */
  createParallelism: number;
  refs: ProcessRef[];
  sampler: SamplerClient | undefined;
  /** Where the watches deliver events while this run is live. */
  attach: (timeline: Timeline) => () => void;
  script?: string;
}

export interface LoadRunResult {
  concurrency: number;
  finished: number;
  failed: number;
  /** Step's main seen terminated → handler pod seen created (same watch). */
  handlerStartMs: Summary;
  /** Create request sent → workflow seen in a final phase. */
  workflowMs: Summary;
  /** Consecutive stretches of a workflow's life, in order. */
  phasesMs: Record<string, Summary>;
  /** Creating all N workflows, first request to last response. */
  createSec: number;
  makespanSec: number;
  perMinute: number;
  /** Completions between the 10th and 90th percentile finish, per minute. */
  steadyPerMinute: number;
  apiRequests: number;
  apiTop: [string, number][];
  counts: Counts;
  coordinator: CoordinatorSnapshot | undefined;
  usage: Usage | undefined;
}

function gaps(entries: Milestones[], from: keyof Milestones, to: keyof Milestones): number[] {
  const values: number[] = [];
  for (const e of entries) {
    const a = e[from];
    const b = e[to];
    if (typeof a === "number" && typeof b === "number") values.push(b - a);
  }
  return values;
}

const PHASES: [string, keyof Milestones, keyof Milestones][] = [
  ["create → step pod", "created", "stepPodSeen"],
  ["step pod → main terminated", "stepPodSeen", "mainTerminated"],
  ["main terminated → report stored", "mainTerminated", "reportSeen"],
  ["report stored → handler pod", "reportSeen", "handlerPodSeen"],
  ["handler pod → finished", "handlerPodSeen", "finished"],
];

function phases(entries: Milestones[]): Record<string, Summary> {
  return Object.fromEntries(PHASES.map(([name, from, to]) => [name, summarize(gaps(entries, from, to))]));
}

async function createAll(options: LoadRunOptions, timeline: Timeline, names: string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++] as string;
      timeline.markCreated(name, performance.now());
      await options.api.post(WORKFLOWS_PATH(options.namespace), oneStepWorkflow(name, options.script));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.createParallelism, names.length) }, worker));
}

function steadyRate(finishes: number[]): number {
  const sorted = [...finishes].sort((a, b) => a - b);
  if (sorted.length < 10) return Number.NaN;
  const lo = Math.floor(sorted.length * 0.1);
  const hi = Math.ceil(sorted.length * 0.9) - 1;
  const spanMs = (sorted[hi] as number) - (sorted[lo] as number);
  return spanMs > 0 ? ((hi - lo) / spanMs) * 60_000 : Number.NaN;
}

export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const { api, concurrency } = options;
  const timeline = createTimeline();
  const detach = options.attach(timeline);
  const names = Array.from({ length: concurrency }, (_, i) => `${options.prefix}-${i}`);
  const counts0 = parseRequestCounts(await api.getText("/metrics"));
  const coordinator0 = await coordinatorSnapshot(api).catch(() => undefined);
  await options.sampler?.start(options.refs, options.namespace);
  const t0 = performance.now();
  await createAll(options, timeline, names);
  const createSec = (performance.now() - t0) / 1000;
  const all = timeline.whenFinished(concurrency);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, options.timeoutMs)))]);
  clearTimeout(timer);
  // The handler's sidecar reports, then exits: keep sampling until it is gone (its peak RSS).
  const usage = await options.sampler?.stop(5_000);
  detach();
  const counts = diffCounts(counts0, parseRequestCounts(await api.getText("/metrics")));
  const coordinator1 = await coordinatorSnapshot(api).catch(() => undefined);

  const entries = names.map((n) => timeline.get(n)).filter((e): e is Milestones => e !== undefined);
  const done = entries.filter((e) => e.finished !== undefined);
  const finishes = done.map((e) => e.finished as number);
  const makespanMs = Math.max(...finishes, t0) - t0;
  const apiRequests = totalCount(counts);
  return {
    concurrency,
    finished: done.length,
    failed: done.filter((e) => e.phase !== "Succeeded").length,
    handlerStartMs: summarize(gaps(entries, "mainTerminated", "handlerPodSeen")),
    workflowMs: summarize(gaps(entries, "created", "finished")),
    phasesMs: phases(entries),
    createSec,
    makespanSec: makespanMs / 1000,
    perMinute: makespanMs > 0 ? (done.length / makespanMs) * 60_000 : Number.NaN,
    steadyPerMinute: steadyRate(finishes),
    apiRequests,
    apiTop: topCounts(counts, 12),
    counts,
    coordinator:
      coordinator0 !== undefined && coordinator1 !== undefined
        ? diffSnapshots(coordinator0, coordinator1)
        : undefined,
    usage,
  };
}
