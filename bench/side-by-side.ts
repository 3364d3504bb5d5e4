// Issue 14's side-by-side run: the same workflows on onexit, on Argo Workflows with its defaults
// and with DEFAULT_REQUEUE_TIME=1s, and on onexit again, one system at a time in the same
// cluster, measured by the same watches and samplers (load-run.ts).
import type { Api } from "./api.ts";
import {
  installArgo,
  restoreOnexit,
  startArgoController,
  uninstallOnexit,
  type ArgoController,
} from "./argo.ts";
import { runLoad, type LoadRunOptions, type LoadRunResult } from "./load-run.ts";
import { controlPlane, discover, type ProcessRef } from "./processes.ts";
import type { SamplerClient } from "./sampler-client.ts";
import { cleanNamespace } from "./setup.ts";
import { cpuByProcess, percentiles, sideBySide, type SideBySide, type SystemMeasure } from "./side-table.ts";
import { summarize } from "./stats.ts";
import type { Timeline } from "./timeline.ts";

export interface SideBySideOptions {
  api: Api;
  namespace: string;
  sampler: SamplerClient;
  attach: (timeline: Timeline) => () => void;
  /** Workflows run one after another for "c1". */
  singles: number;
  /** Concurrent levels, ascending; the last one is where CPU and the failing step are measured. */
  levels: number[];
  /** Run onexit again after Argo (the bracket). */
  repeatOnexit: boolean;
  /** Workflows run at once before a system's measures, not measured (0: none). */
  warmup: number;
  createParallelism: number;
  benchPids: number[];
  log: (line: string) => void;
}

export interface SideBySideResult {
  sideBySide: SideBySide;
  /** The same measures for onexit's second run, after Argo's. */
  onexitAfter?: SystemMeasure;
}

async function measure(
  o: SideBySideOptions,
  label: string,
  refs: () => ProcessRef[],
): Promise<SystemMeasure> {
  const bench = o.benchPids.map((pid) => ({ component: "bench", pid }));
  const run = async (concurrency: number, prefix: string, script?: string): Promise<LoadRunResult> => {
    const options: LoadRunOptions = {
      api: o.api,
      namespace: o.namespace,
      concurrency,
      prefix: `${prefix}-${Date.now().toString(36)}`,
      timeoutMs: 120_000 + concurrency * 3_000,
      createParallelism: o.createParallelism,
      refs: [...refs(), ...bench],
      sampler: o.sampler,
      attach: o.attach,
      ...(script !== undefined ? { script } : {}),
    };
    const result = await runLoad(options);
    o.log(
      `${label}: ${result.finished}/${concurrency} finished in ${result.makespanSec.toFixed(1)} s, handler start p50 ${result.handlerStartMs.p50} ms`,
    );
    await cleanNamespace(o.api, o.namespace);
    return result;
  };
  // A system just installed or restarted has cold caches and code: run its first workflows unmeasured.
  if (o.warmup > 0) await run(o.warmup, `${label}-warmup`);
  const singles: number[] = [];
  for (let i = 0; i < o.singles; i++) singles.push((await run(1, `${label}-s${i}`)).handlerStartMs.max);
  const handlerStartMs = {
    c1: percentiles(summarize(singles.filter(Number.isFinite))),
  } as SystemMeasure["handlerStartMs"];
  const throughputPerMin: Record<string, number> = {};
  let top: LoadRunResult | undefined;
  for (const n of o.levels) {
    top = await run(n, `${label}-c${n}`);
    handlerStartMs[`c${n}`] = percentiles(top.handlerStartMs);
    throughputPerMin[`c${n}`] = Math.round(top.perMinute * 10) / 10;
  }
  const topLevel = o.levels[o.levels.length - 1] ?? 1;
  const failing = await run(topLevel, `${label}-f${topLevel}`, "exit 1");
  return {
    handlerStartMs,
    handlerStartFailedStepMs: percentiles(failing.handlerStartMs),
    throughputPerMin,
    cpuByProcess: cpuByProcess(
      top?.usage ?? { wallSec: 0, machineBusySec: 0, machineCores: 0, components: [], sidecars: [] },
      top?.finished ?? 0,
    ),
  };
}

async function measureArgo(
  o: SideBySideOptions,
  label: string,
  env: Record<string, string>,
): Promise<SystemMeasure> {
  o.log(`${label}: starting Argo's workflow-controller ${JSON.stringify(env)}`);
  const controller: ArgoController = await startArgoController(o.namespace, env);
  try {
    return await measure(o, label, () => [
      ...controlPlane(),
      { component: "workflow-controller", pid: controller.pid },
    ]);
  } finally {
    await controller.stop();
  }
}

export async function runSideBySide(o: SideBySideOptions): Promise<SideBySideResult> {
  const onexit = await measure(o, "onexit", discover);
  o.log("removing onexit (release and CRD), installing Argo's CRDs");
  uninstallOnexit();
  let argoDefault: SystemMeasure;
  let argo1s: SystemMeasure;
  try {
    installArgo(o.namespace);
    argoDefault = await measureArgo(o, "argo-default", {});
    argo1s = await measureArgo(o, "argo-1s", { DEFAULT_REQUEUE_TIME: "1s" });
  } finally {
    o.log("removing Argo's CRDs, restoring onexit's CRD and release");
    await cleanNamespace(o.api, o.namespace).catch(() => undefined);
    restoreOnexit(o.namespace);
  }
  const onexitAfter = o.repeatOnexit ? await measure(o, "onexit-after", discover) : undefined;
  return {
    sideBySide: sideBySide({ onexit, argoDefault, argo1s }),
    ...(onexitAfter !== undefined ? { onexitAfter } : {}),
  };
}
