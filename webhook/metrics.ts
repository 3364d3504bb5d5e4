// The webhook's Prometheus metrics, on their own registry (no module-global state).
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import { INJECTION_SKIPS, type InjectionSkip, type Outcome } from "./review.ts";

const OUTCOMES: readonly Outcome[] = ["injected", "skipped", "denied", "error"];

export interface WebhookMetrics {
  registry: Registry;
  observe(outcome: Outcome, seconds: number): void;
  injectionSkipped(reason: InjectionSkip): void;
}

export function createMetrics(options: { processMetrics: boolean }): WebhookMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "onexit_webhook_requests_total",
    help: "Admission requests answered, by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "onexit_webhook_admission_duration_seconds",
    help: "Time to answer one admission request, from body parsed to response written.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const skipped = new Counter({
    name: "onexit_webhook_injection_skipped_total",
    help: "Workflow-labelled pods deliberately left without the sidecar, by reason.",
    labelNames: ["reason"],
    registers: [registry],
  });
  for (const outcome of OUTCOMES) requests.inc({ outcome }, 0);
  for (const reason of INJECTION_SKIPS) skipped.inc({ reason }, 0);
  return {
    registry,
    observe: (outcome, seconds) => {
      requests.inc({ outcome });
      duration.observe(seconds);
    },
    injectionSkipped: (reason) => skipped.inc({ reason }),
  };
}
