// The coordinator's Prometheus metrics on its own Registry (prefix onexit_), with Node's default
// process metrics. Gauges that mirror state (workflows by phase, queue depth) are computed at
// scrape time from callbacks, so they can never drift from the caches they describe.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const WORKFLOW_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Error"] as const;
const REPORT_OUTCOMES = [
  "accepted",
  "duplicate",
  "invalid",
  "unauthenticated",
  "forbidden",
  "not_found",
  "error",
] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];
const RECONCILE_RESULTS = ["success", "error", "requeue_after", "stale"] as const;
export type ReconcileResultLabel = (typeof RECONCILE_RESULTS)[number];

const HANDLER_LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export interface StateSources {
  /** Workflow count by phase, read from the informer cache at scrape time. */
  workflowsByPhase: () => Map<string, number>;
  queueDepth: () => number;
}

export interface CoordinatorMetrics {
  registry: Registry;
  setStateSources(sources: StateSources): void;
  recordRequest(verb: string, code: string): void;
  observeReconcile(seconds: number, result: ReconcileResultLabel): void;
  observeHandlerStart(milliseconds: number, namespace: string): void;
  workflowCompleted(phase: string, namespace: string, durationSeconds: number | undefined): void;
  setLeader(leader: boolean): void;
  report(outcome: ReportOutcome): void;
  /** One answer of the sidecars' pod proxy: `kind` watch, log or refused; `code` its HTTP status. */
  proxyRequest(kind: string, code: number): void;
  /** One watch event of a workflow or of its pod, by how it reached the queue (WATCH_EVENT_HANDLING). */
  watchEvent(handling: WatchEventHandling): void;
}

/** at_once: a change that may move the workflow on; coalesced: one that may wait (pod-change.ts);
 *  own_write: the event of this replica's own write, skipped (own-writes.ts). */
export const WATCH_EVENT_HANDLINGS = ["at_once", "coalesced", "own_write"] as const;
export type WatchEventHandling = (typeof WATCH_EVENT_HANDLINGS)[number];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): CoordinatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  let sources: StateSources = { workflowsByPhase: () => new Map(), queueDepth: () => 0 };

  new Gauge({
    name: "onexit_workflows",
    help: "Workflows in the coordinator's cache, by phase.",
    labelNames: ["phase"],
    registers: [registry],
    collect(): void {
      const counts = sources.workflowsByPhase();
      for (const phase of WORKFLOW_PHASES) this.set({ phase }, counts.get(phase) ?? 0);
    },
  });
  new Gauge({
    name: "onexit_queue_depth",
    help: "Workflow keys waiting in the work queue.",
    registers: [registry],
    collect(): void {
      this.set(sources.queueDepth());
    },
  });
  const completed = new Counter({
    name: "onexit_workflows_completed_total",
    help: "Workflows that reached a final phase, by phase and namespace.",
    labelNames: ["phase", "namespace"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "onexit_workflow_duration_seconds",
    help: "Wall time from a workflow's start to its final phase.",
    buckets: [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600],
    registers: [registry],
  });
  const handlerStart = new Histogram({
    name: "onexit_exit_handler_start_latency_milliseconds",
    help: "From the coordinator learning that the last step ended to the exit-handler pod's create returning.",
    labelNames: ["namespace"],
    buckets: HANDLER_LATENCY_BUCKETS_MS,
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: "onexit_reconcile_duration_seconds",
    help: "Time to reconcile one workflow and apply the result.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const reconciles = new Counter({
    name: "onexit_reconcile_total",
    help: "Reconciles by result.",
    labelNames: ["result"],
    registers: [registry],
  });
  const requests = new Counter({
    name: "onexit_k8s_requests_total",
    help: "Kubernetes API requests made by the coordinator, by verb and HTTP code.",
    labelNames: ["verb", "code"],
    registers: [registry],
  });
  const leader = new Gauge({
    name: "onexit_is_leader",
    help: "1 while this replica holds the coordinator lease.",
    registers: [registry],
  });
  const reports = new Counter({
    name: "onexit_reports_total",
    help: "Sidecar reports received, by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const proxied = new Counter({
    name: "onexit_pod_proxy_requests_total",
    help: "Sidecar reads through the pod proxy (watch, log; refused before relaying), by HTTP status.",
    labelNames: ["kind", "code"],
    registers: [registry],
  });
  const watchEvents = new Counter({
    name: "onexit_watch_events_total",
    help: "Workflow and pod watch events, by how they reached the work queue: at_once, coalesced, or own_write (skipped).",
    labelNames: ["handling"],
    registers: [registry],
  });
  for (const handling of WATCH_EVENT_HANDLINGS) watchEvents.inc({ handling }, 0);
  for (const outcome of REPORT_OUTCOMES) reports.inc({ outcome }, 0);
  for (const result of RECONCILE_RESULTS) reconciles.inc({ result }, 0);
  leader.set(0);

  return {
    registry,
    setStateSources: (next) => {
      sources = next;
    },
    recordRequest: (verb, code) => requests.inc({ verb, code }),
    observeReconcile: (seconds, result) => {
      reconcileDuration.observe(seconds);
      reconciles.inc({ result });
    },
    observeHandlerStart: (ms, namespace) => handlerStart.observe({ namespace }, ms),
    workflowCompleted: (phase, namespace, seconds) => {
      completed.inc({ phase, namespace });
      if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) duration.observe(seconds);
    },
    setLeader: (value) => leader.set(value ? 1 : 0),
    report: (outcome) => reports.inc({ outcome }),
    proxyRequest: (kind, code) => proxied.inc({ kind, code: String(code) }),
    watchEvent: (handling) => watchEvents.inc({ handling }),
  };
}
