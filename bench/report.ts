// Plain-text tables of a run's results, as printed at the end and pasted into the README.
import type { BenchResults, LoadLevel } from "./results.ts";

function fmt(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(digits);
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    "| " +
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ") +
    " |";
  const rule = "| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |";
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function cpuOf(level: LoadLevel, component: string): string {
  const c = level.cpu?.components.find((x) => x.component === component);
  return c === undefined ? "-" : `${fmt(c.percentOfCore)}%`;
}

function rssOf(level: LoadLevel, component: string): string {
  return fmt(level.cpu?.components.find((x) => x.component === component)?.peakRssMiB);
}

function loadTables(results: BenchResults): string[] {
  const latency = table(
    ["workflows", "done", "handler p50", "p95", "p99", "max", "workflow p50", "p99", "per min", "API req/wf"],
    results.load.map((l, i) => {
      const h = results.handlerStartMs[i];
      const w = results.workflowMs[i];
      return [
        `${l.concurrency} (${l.role})`,
        `${l.finished}${l.failed > 0 ? ` (${l.failed} failed)` : ""}`,
        fmt(h?.p50),
        fmt(h?.p95),
        fmt(h?.p99),
        fmt(h?.max),
        fmt(w?.p50),
        fmt(w?.p99),
        fmt(l.workflowsPerMinute),
        fmt(l.apiRequestsPerWorkflow),
      ];
    }),
  );
  const phaseNames = Object.keys(results.load[0]?.phasesMs ?? {});
  const phases = table(
    ["workflows", ...phaseNames.map((p) => `${p} p50/p99`)],
    results.load.map((l) => [
      String(l.concurrency),
      ...phaseNames.map((p) => `${fmt(l.phasesMs[p]?.p50)}/${fmt(l.phasesMs[p]?.p99)}`),
    ]),
  );
  const components = [
    "kube-apiserver",
    "etcd",
    "coordinator",
    "agent",
    "pod processes",
    "webhook",
    "bench",
    "other (rest of the host)",
  ];
  const cpu = table(
    ["workflows", "machine", ...components.map((c) => `${c} CPU`), "coord RSS MiB", "bottleneck"],
    results.load.map((l) => [
      String(l.concurrency),
      `${fmt(l.cpu?.machinePercent)}%`,
      ...components.map((c) => cpuOf(l, c)),
      rssOf(l, "coordinator"),
      l.cpu?.bottleneck ?? "-",
    ]),
  );
  const warm = results.handlerStartWarmStepMs;
  const warmLine =
    warm === undefined
      ? []
      : [
          `One workflow at a time, step \`sleep 1\` (sidecar already watching when main exits): handler start p50 ${fmt(warm.p50)} ms, max ${fmt(warm.max)} ms over ${warm.count}; ` +
            Object.entries(results.warmStepPhasesMs ?? {})
              .map(([name, s]) => `${name} ${fmt(s.p50)}`)
              .join(", "),
        ];
  const coordinator = table(
    [
      "workflows",
      "reconciles/wf",
      "reconcile mean ms",
      "stale (1 s retry)",
      "coord requests/wf",
      "by verb",
      "coord's own handler start mean ms",
      "coord waits for CPU",
    ],
    results.load.map((l) => [
      String(l.concurrency),
      fmt(l.coordinatorReconcilesPerWorkflow, 1),
      fmt(l.coordinatorReconcileMeanMs),
      fmt(l.coordinatorStaleReconciles),
      fmt(l.coordinatorRequestsPerWorkflow, 1),
      Object.entries(l.coordinatorRequestsByVerbPerWorkflow)
        .map(([verb, n]) => `${verb} ${fmt(n, 1)}`)
        .join(", "),
      fmt(l.coordinatorHandlerStartMeanMs),
      `${fmt(l.cpu?.components.find((c) => c.component === "coordinator")?.runQueuePercent)}%`,
    ]),
  );
  return [
    "Exit-handler start (ms, step's main seen terminated → handler pod seen, one watch) and workflow create → finished (ms):",
    latency,
    ...warmLine,
    "Where the time goes (ms, consecutive stretches on the same watch):",
    phases,
    "CPU (% of one core over the level's wall time) and the bottleneck:",
    cpu,
    "Coordinator (its own metrics, both replicas; reports go to either):",
    coordinator,
  ];
}

function webhookTables(results: BenchResults): string[] {
  const w = results.webhook;
  if (w === undefined) return [];
  const rows = [...w.direct, ...(w.max ? [w.max] : [])].map((r) => [
    r.targetRate === undefined ? "flat out" : `${r.targetRate}/s`,
    fmt(r.achievedRate),
    fmt(r.latencyMs.p50),
    fmt(r.latencyMs.p99),
    fmt(r.latencyMs.max),
    String(r.errors + r.non2xx),
    `${fmt(r.inServerMs.p50, 2)}/${fmt(r.inServerMs.p99, 2)}`,
    `${fmt(r.cpuPercent)}%`,
    `${fmt(r.runQueuePercent, 1)}%`,
    fmt(r.peakRssMiB),
  ]);
  const out = [
    "Webhook server on 127.0.0.1 (autocannon, keep-alive TLS; latency in whole ms):",
    table(
      [
        "target",
        "achieved/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "in-server p50/p99 ms",
        "CPU",
        "run queue",
        "RSS MiB",
      ],
      rows,
    ),
  ];
  const v = w.viaApiServer;
  if (v !== undefined) {
    out.push(
      `Through the API server (${v.requests} sequential dry-run pod creates each):`,
      table(
        ["pod", "p50 ms", "p95 ms", "p99 ms", "max ms"],
        [
          [
            "labelled (webhook called)",
            fmt(v.labelledMs.p50, 1),
            fmt(v.labelledMs.p95, 1),
            fmt(v.labelledMs.p99, 1),
            fmt(v.labelledMs.max, 1),
          ],
          [
            "unlabelled (no webhook)",
            fmt(v.unlabelledMs.p50, 1),
            fmt(v.unlabelledMs.p95, 1),
            fmt(v.unlabelledMs.p99, 1),
            fmt(v.unlabelledMs.max, 1),
          ],
        ],
      ),
      `API server's own measure of the webhook call: mean ${fmt(v.apiServerMeanMs, 1)} ms, ${fmt(v.apiServerUnder5msPercent)}% under 5 ms; in-cluster webhooks: ${fmt(v.webhookCpuSec, 2)} CPU-s, peak RSS ${fmt(v.webhookPeakRssMiB)} MiB`,
    );
  }
  return out;
}

function sidecarTables(results: BenchResults): string[] {
  const s = results.sidecar;
  if (s === undefined) return [];
  const rows = [
    [
      "peak RSS (MiB)",
      `${fmt(s.peakRssMiB.p50)} p50, ${fmt(s.peakRssMiB.max)} max (${s.pods} sidecars, one workflow at a time; step pods ${fmt(s.stepPeakRssMiB.max)} max, handler pods ${fmt(s.handlerPeakRssMiB.max)} max)`,
    ],
    [
      "private memory when done (RssAnon, MiB; the rest of the RSS is the node binary, shared)",
      s.privateMiB === undefined || s.privateMiB.count === 0
        ? "not reported"
        : `${fmt(s.privateMiB.p50)} p50, ${fmt(s.privateMiB.max)} max`,
    ],
    [
      "process start → first log line (ms)",
      `${fmt(s.startToFirstLogMs.p50)} p50, ${fmt(s.startToFirstLogMs.max)} max`,
    ],
    [
      "process start → watching, main seen started (ms)",
      `${fmt(s.startToWatchingMs.p50)} p50, ${fmt(s.startToWatchingMs.max)} max`,
    ],
    ["API requests per pod (watch + log stream)", fmt(s.apiRequestsPerPod, 2)],
    ["API requests its report causes (TokenReview)", fmt(s.reportRequestsPerPod, 2)],
  ];
  const loadRss = results.load
    .filter((l) => l.sidecarPeakRssMiB !== undefined)
    .map((l) => `${l.concurrency}: ${fmt(l.sidecarPeakRssMiB?.p50)}/${fmt(l.sidecarPeakRssMiB?.max)}`);
  if (loadRss.length > 0) rows.push(["peak RSS under load p50/max (MiB) by level", loadRss.join(", ")]);
  if (s.flood !== undefined)
    rows.push([
      `peak RSS while main writes ${s.flood.megabytes} MB of log (MiB)`,
      `${fmt(s.flood.peakRssMiB)} (captured ${fmt(s.flood.capturedBytes / 1e6)} MB, sidecar ${fmt(s.flood.sidecarCpuSec, 2)} CPU-s, main ran ${fmt(s.flood.stepMs / 1000, 1)} s, agent + pods ${fmt(s.flood.agentCpuSec, 1)} CPU-s)`,
    ]);
  if (s.artifacts !== undefined)
    rows.push([
      `artifact of ${s.artifacts.megabytes} MiB to and from S3`,
      `upload ${fmt(s.artifacts.uploadMiBps)} MiB/s, download ${fmt(s.artifacts.downloadMiBps)} MiB/s, peak RSS ${fmt(s.artifacts.peakRssMiB)} MiB (${fmt(s.artifacts.baselineRssMiB)} before loading the S3 client)`,
    ]);
  return ["Sidecar:", table(["what", "value"], rows)];
}

export function renderReport(results: BenchResults): string {
  return [
    `onexit bench ${results.date}${results.quick ? " (quick)" : ""}: ${results.host.cores} cores ${results.host.cpu}, ${results.cluster.version} at ${results.cluster.server}`,
    Object.entries(results.entrypoints)
      .map(([component, cmdline]) => `${component}: ${cmdline.replace(/^\S*\/node\s+/, "node ")}`)
      .join("\n"),
    ...(results.load.length > 0 ? loadTables(results) : []),
    ...webhookTables(results),
    ...sidecarTables(results),
    ...results.notes.map((n) => `note: ${n}`),
  ].join("\n\n");
}
