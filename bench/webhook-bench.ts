// The webhook alone: its server on 127.0.0.1 driven by autocannon at fixed rates and flat out,
// with its CPU and RSS; then through the API server: dry-run pod creates, timed, with and
// without the label that routes them to the cluster's webhook.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { LABEL_WORKFLOW } from "../common/names.ts";
import type { Api } from "./api.ts";
import { runAutocannon, type LoadResult } from "./autocannon.ts";
import { sumMetric } from "./coordinator-metrics.ts";
import type { ProcessRef } from "./processes.ts";
import type { SamplerClient } from "./sampler-client.ts";
import { summarize, type Summary } from "./stats.ts";
import { diffHistogram, histogramQuantile, parseHistogram, type Histogram } from "./histogram.ts";
import { startLocalWebhook, type LocalWebhook } from "./local-webhook.ts";

export interface DirectRun extends LoadResult {
  /** Webhook process CPU over the run, % of one core. */
  cpuPercent: number;
  peakRssMiB: number;
  /** Time the server's thread waited for a CPU, % of the run (a busy host shows here, not in-server). */
  runQueuePercent: number;
  /** The server's own histogram (first middleware → answer), interpolated in its buckets. */
  inServerMs: { p50: number; p99: number; mean: number };
}

export interface ViaApiServer {
  requests: number;
  /** Dry-run create of a labelled pod (the API server calls the webhook). */
  labelledMs: Summary;
  /** The same pod without the label (no webhook call): the baseline. */
  unlabelledMs: Summary;
  /** The API server's own measure of the webhook call (apiserver_admission_webhook_admission_duration_seconds). */
  apiServerMeanMs: number;
  apiServerUnder5msPercent: number;
  webhookCpuSec: number;
  webhookPeakRssMiB: number;
}

export interface WebhookBenchResult {
  direct: DirectRun[];
  max: DirectRun | undefined;
  viaApiServer: ViaApiServer | undefined;
}

export interface WebhookBenchOptions {
  rates: number[];
  seconds: number;
  apiDryRuns: number;
  api: Api;
  namespace: string;
  sampler: SamplerClient | undefined;
  inClusterWebhooks: ProcessRef[];
  log: (line: string) => void;
}

const SERVER_HISTOGRAM = "onexit_webhook_admission_duration_seconds";

async function serverHistogram(server: LocalWebhook): Promise<Histogram> {
  const text = await fetch(server.metricsUrl).then((r) => r.text());
  return parseHistogram(text, SERVER_HISTOGRAM);
}

async function measured(
  options: WebhookBenchOptions,
  server: LocalWebhook,
  run: () => Promise<LoadResult>,
): Promise<DirectRun> {
  const before = await serverHistogram(server);
  await options.sampler?.start([{ component: "webhook", pid: server.pid }]);
  const result = await run();
  const usage = await options.sampler?.stop();
  const inServer = diffHistogram(before, await serverHistogram(server));
  const webhook = usage?.components[0];
  const ms = (seconds: number): number => Math.round(seconds * 10_000) / 10;
  return {
    ...result,
    cpuPercent: webhook && usage ? (webhook.cpuSec / usage.wallSec) * 100 : Number.NaN,
    peakRssMiB: webhook?.peakRssMiB ?? Number.NaN,
    runQueuePercent: webhook && usage ? (webhook.runDelaySec / usage.wallSec) * 100 : Number.NaN,
    inServerMs: {
      p50: ms(histogramQuantile(inServer, 0.5)),
      p99: ms(histogramQuantile(inServer, 0.99)),
      mean: inServer.count > 0 ? ms(inServer.sum / inServer.count) : Number.NaN,
    },
  };
}

async function direct(options: WebhookBenchOptions): Promise<Pick<WebhookBenchResult, "direct" | "max">> {
  const server = await startLocalWebhook(options.namespace);
  try {
    const { url, bodyFile } = server;
    await runAutocannon({ url, bodyFile, connections: 4, seconds: 2 }); // warm-up (JIT, TLS sessions)
    const runs: DirectRun[] = [];
    for (const rate of options.rates) {
      const connections = Math.max(4, Math.ceil(rate / 250));
      const run = await measured(options, server, () =>
        runAutocannon({ url, bodyFile, connections, seconds: options.seconds, rate }),
      );
      options.log(`webhook direct ${rate}/s: p50 ${run.latencyMs.p50} ms p99 ${run.latencyMs.p99} ms`);
      runs.push(run);
    }
    const max = await measured(options, server, () =>
      runAutocannon({ url, bodyFile, connections: 16, seconds: options.seconds }),
    );
    options.log(`webhook direct flat out: ${max.achievedRate.toFixed(0)}/s p99 ${max.latencyMs.p99} ms`);
    return { direct: runs, max };
  } finally {
    await server.close();
  }
}

function dryRunPod(name: string, labelled: boolean): unknown {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: labelled ? { [LABEL_WORKFLOW]: name } : { "onexit.dev/bench": "true" },
    },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "main", image: "alpine:3", command: ["sh", "-c", "exit 0"] }],
    },
  };
}

async function timedCreates(options: WebhookBenchOptions, labelled: boolean): Promise<number[]> {
  const path = `/api/v1/namespaces/${options.namespace}/pods?dryRun=All`;
  const times: number[] = [];
  for (let i = 0; i < options.apiDryRuns; i++) {
    const t0 = performance.now();
    await options.api.post(path, dryRunPod(`bench-dry-${i}`, labelled));
    times.push(performance.now() - t0);
  }
  return times;
}

const WEBHOOK_METRIC =
  'apiserver_admission_webhook_admission_duration_seconds_{what}{name="inject.onexit.dev"';

async function apiServerWebhookStats(api: Api): Promise<{ sum: number; count: number; under5ms: number }> {
  const text = await api.getText("/metrics");
  const metric = (what: string): number => sumMetric(text, WEBHOOK_METRIC.replace("{what}", what));
  const bucket5ms = text
    .split("\n")
    .filter((l) => l.startsWith(WEBHOOK_METRIC.replace("{what}", "bucket")) && l.includes('le="0.005"'))
    .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
  return { sum: metric("sum"), count: metric("count"), under5ms: bucket5ms };
}

async function viaApiServer(options: WebhookBenchOptions): Promise<ViaApiServer> {
  await timedCreates({ ...options, apiDryRuns: 10 }, true); // warm-up: connections to the webhook
  const unlabelled = await timedCreates(options, false);
  const before = await apiServerWebhookStats(options.api);
  await options.sampler?.start(options.inClusterWebhooks);
  const labelled = await timedCreates(options, true);
  const usage = await options.sampler?.stop();
  const after = await apiServerWebhookStats(options.api);
  const count = after.count - before.count;
  const webhook = usage?.components.find((c) => c.component === "webhook");
  return {
    requests: options.apiDryRuns,
    labelledMs: summarize(labelled),
    unlabelledMs: summarize(unlabelled),
    apiServerMeanMs: count > 0 ? ((after.sum - before.sum) / count) * 1000 : Number.NaN,
    apiServerUnder5msPercent: count > 0 ? ((after.under5ms - before.under5ms) / count) * 100 : Number.NaN,
    webhookCpuSec: webhook?.cpuSec ?? Number.NaN,
    webhookPeakRssMiB: webhook?.peakRssMiB ?? Number.NaN,
  };
}

export async function benchWebhook(options: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const local = await direct(options);
  await sleep(500);
  const via = await viaApiServer(options).catch((err: unknown) => {
    options.log(`webhook through the API server failed: ${String(err)}`);
    return undefined;
  });
  return { ...local, viaApiServer: via };
}
