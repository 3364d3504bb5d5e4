// `make bench`: measures onexit in the test cluster (or the cluster KUBECONFIG names), prints
// tables and writes bench/results/<date>.json. Settings: bench/config.ts.
import { cpus, loadavg, totalmem } from "node:os";
import { measureHostSpeed } from "./host-speed.ts";
import { createApi, type Api } from "./api.ts";
import { watchNamespace, type ClusterWatch } from "./cluster-watch.ts";
import { loadLevels, parseConfig, type BenchConfig } from "./config.ts";
import { guardMemory } from "./guard.ts";
import { runLoad, type LoadRunOptions, type LoadRunResult } from "./load-run.ts";
import { procCmdline } from "./proc.ts";
import { discover, onexitPods, type ProcessRef } from "./processes.ts";
import { renderReport } from "./report.ts";
import { levelSummaries, loadLevel, writeResults, type BenchResults, type LoadLevel } from "./results.ts";
import { startSampler, type SamplerClient } from "./sampler-client.ts";
import { summarize } from "./stats.ts";
import { cleanNamespace, ensureBenchNamespace, ensureOnexit, toolsOnPath } from "./setup.ts";
import { benchSidecar } from "./sidecar-bench.ts";
import { benchArtifacts } from "./artifact-bench.ts";
import { runSideBySide } from "./side-by-side.ts";
import { renderSideBySide, withOnexit } from "./side-table.ts";
import { benchWebhook } from "./webhook-bench.ts";

const RESULTS_DIR = new URL("./results", import.meta.url).pathname;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} bench: ${line}\n`);
}

interface Context {
  config: BenchConfig;
  api: Api;
  watch: ClusterWatch;
  sampler: SamplerClient;
}

/** Found again before every run: onexit's pods may be rolled by anyone between runs. */
function refs(sampler: SamplerClient): ProcessRef[] {
  return [...discover(), { component: "bench", pid: process.pid }, { component: "bench", pid: sampler.pid }];
}

function runOptions(ctx: Context, concurrency: number, prefix: string): LoadRunOptions {
  return {
    api: ctx.api,
    namespace: ctx.config.namespace,
    concurrency,
    prefix: `${prefix}-${Date.now().toString(36)}`,
    timeoutMs: ctx.config.levelTimeoutMs(concurrency),
    createParallelism: ctx.config.createParallelism,
    refs: refs(ctx.sampler),
    sampler: ctx.sampler,
    attach: ctx.watch.attach,
  };
}

/** Single workflows whose step outlives the sidecar's start-up. */
async function warmSection(
  ctx: Context,
): Promise<Pick<BenchResults, "handlerStartWarmStepMs" | "warmStepPhasesMs">> {
  const runs: LoadRunResult[] = [];
  for (let i = 0; i < ctx.config.warmRuns; i++)
    runs.push(await runLoad({ ...runOptions(ctx, 1, `warm${i}`), script: "sleep 1" }));
  await cleanNamespace(ctx.api, ctx.config.namespace);
  const entries = (name: string): number[] => runs.map((r) => r.phasesMs[name]?.max ?? Number.NaN);
  const phaseNames = Object.keys(runs[0]?.phasesMs ?? {});
  return {
    handlerStartWarmStepMs: summarize(runs.map((r) => r.handlerStartMs.max)),
    warmStepPhasesMs: Object.fromEntries(phaseNames.map((p) => [p, summarize(entries(p))])),
  };
}

async function loadSection(ctx: Context): Promise<{ levels: LoadLevel[]; results: LoadRunResult[] }> {
  const levels: LoadLevel[] = [];
  const results: LoadRunResult[] = [];
  for (const { concurrency, role } of loadLevels(ctx.config)) {
    log(`load: ${concurrency} concurrent workflows (${role})`);
    const run = await runLoad(runOptions(ctx, concurrency, `w${concurrency}`));
    log(
      `load: ${run.finished}/${concurrency} finished in ${run.makespanSec.toFixed(1)} s; handler start p99 ${run.handlerStartMs.p99} ms`,
    );
    results.push(run);
    levels.push(loadLevel(run, role));
    log("cleaning up");
    await cleanNamespace(ctx.api, ctx.config.namespace);
  }
  return { levels, results };
}

function entrypoints(): Record<string, string> {
  return Object.fromEntries(onexitPods().map((p) => [p.component, procCmdline(p.pid)]));
}

async function clusterVersion(api: Api): Promise<string> {
  return api
    .get<{ gitVersion: string }>("/version")
    .then((v) => v.gitVersion)
    .catch(() => "unknown");
}

async function main(): Promise<void> {
  toolsOnPath();
  const config = parseConfig(process.env);
  const api = await createApi();
  ensureOnexit(log);
  ensureBenchNamespace(config.namespace);
  await cleanNamespace(api, config.namespace);
  const watch = watchNamespace(api, config.namespace);
  await watch.ready;
  const sampler = startSampler();
  const ctx: Context = { config, api, watch, sampler };
  const stopGuard = guardMemory(2048, (available) => {
    log(`only ${available.toFixed(0)} MiB of memory left: deleting the bench's workflows and stopping`);
    void cleanNamespace(api, config.namespace, 10_000).finally(() => process.exit(3));
  });
  const speed = measureHostSpeed();
  const notes = [
    `host load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
    `host speed: node --jitless -e 0 takes ${speed.nodeStartMs} ms, a fixed 200M-step loop ${speed.loopMs} ms (compare runs only at similar figures)`,
  ];
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick: config.quick,
    host: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? "",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      speed,
    },
    cluster: { server: api.server, version: await clusterVersion(api) },
    entrypoints: entrypoints(),
    config: { ...config, sections: [...config.sections], levelTimeoutMs: undefined },
    handlerStartMs: [],
    workflowMs: [],
    load: [],
    notes,
  };
  try {
    if (config.sections.has("webhook")) {
      log("webhook");
      results.webhook = await benchWebhook({
        rates: config.webhookRates,
        seconds: config.webhookSeconds,
        apiDryRuns: config.apiDryRuns,
        api,
        namespace: config.namespace,
        sampler,
        inClusterWebhooks: refs(sampler).filter((r) => r.component === "webhook"),
        log,
      });
    }
    if (config.sections.has("sidecar")) {
      log("sidecar");
      results.sidecar = await benchSidecar(
        {
          api,
          namespace: config.namespace,
          timeoutMs: 300_000,
          createParallelism: 1,
          refs: refs(sampler),
          sampler,
          attach: watch.attach,
        },
        config.sidecarRuns,
        config.logMegabytes,
        log,
      );
      log("sidecar: an artifact to and from the S3 store");
      const artifacts = benchArtifacts(config.quick ? 64 : 1024);
      if (artifacts !== undefined) results.sidecar.artifacts = artifacts;
      await cleanNamespace(api, config.namespace);
    }
    if (config.sections.has("load") && config.warmRuns > 0) {
      log(`load: ${config.warmRuns} single workflows whose step sleeps 1 s`);
      Object.assign(results, await warmSection(ctx));
    }
    if (config.sections.has("load")) {
      const load = await loadSection(ctx);
      results.load = load.levels;
      Object.assign(results, levelSummaries(load.results));
    }
    if (config.sections.has("sidebyside")) {
      log("side by side with Argo Workflows");
      const side = await runSideBySide({
        api,
        namespace: config.namespace,
        sampler,
        attach: watch.attach,
        singles: config.sideSingles,
        levels: config.sideLevels,
        repeatOnexit: config.sideRepeat,
        warmup: config.sideWarmup,
        createParallelism: config.createParallelism,
        benchPids: [process.pid, sampler.pid],
        log,
      });
      results.sideBySide = side.sideBySide;
      if (side.onexitAfter !== undefined) results.sideBySideOnexitAfter = side.onexitAfter;
    }
  } finally {
    stopGuard();
    watch.stop();
    sampler.close();
    api.close();
  }
  const sidecar = results.sidecar?.cmdline;
  if (sidecar !== undefined) results.entrypoints.sidecar = sidecar;
  // Written before printing: a run stopped while it prints still leaves its figures.
  log(`results written to ${writeResults(results, RESULTS_DIR)}`);
  process.stdout.write(renderReport(results) + "\n");
  if (results.sideBySide !== undefined) {
    process.stdout.write(
      `\nSide by side with Argo Workflows (one run; ratios onexit ÷ Argo):\n\n${renderSideBySide(results.sideBySide)}\n`,
    );
    const after = results.sideBySideOnexitAfter;
    if (after !== undefined) {
      const again = withOnexit(results.sideBySide, after);
      process.stdout.write(`\nThe same, onexit's second run (after Argo's):\n\n${renderSideBySide(again)}\n`);
    }
  }
}

await main();
