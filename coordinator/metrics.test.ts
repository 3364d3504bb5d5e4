import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.ts";

describe("metrics", () => {
  it("when scraped, then workflows by phase and queue depth come from the state sources", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.setStateSources({ workflowsByPhase: () => new Map([["Running", 3]]), queueDepth: () => 7 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('onexit_workflows{phase="Running"} 3');
    expect(text).toContain('onexit_workflows{phase="Succeeded"} 0');
    expect(text).toContain("onexit_queue_depth 7");
  });

  it("when nothing happened yet, then report outcomes and leadership are exported as zero", async () => {
    const text = await createMetrics({ defaultMetrics: false }).registry.metrics();
    expect(text).toContain('onexit_reports_total{outcome="forbidden"} 0');
    expect(text).toContain('onexit_reports_total{outcome="accepted"} 0');
    expect(text).toContain("onexit_is_leader 0");
  });

  it("when events are recorded, then each lands under its label set", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.recordRequest("create", "201");
    metrics.recordRequest("create", "409");
    metrics.workflowCompleted("Failed", "default", 12);
    metrics.observeHandlerStart(42, "default");
    metrics.setLeader(true);
    metrics.report("accepted");
    metrics.proxyRequest("log", 200);
    metrics.proxyRequest("refused", 403);
    metrics.watchEvent("own_write");
    const text = await metrics.registry.metrics();
    expect(text).toContain('onexit_watch_events_total{handling="own_write"} 1');
    expect(text).toContain('onexit_watch_events_total{handling="coalesced"} 0');
    expect(text).toContain('onexit_pod_proxy_requests_total{kind="log",code="200"} 1');
    expect(text).toContain('onexit_pod_proxy_requests_total{kind="refused",code="403"} 1');
    expect(text).toContain('onexit_k8s_requests_total{verb="create",code="201"} 1');
    expect(text).toContain('onexit_k8s_requests_total{verb="create",code="409"} 1');
    expect(text).toContain('onexit_workflows_completed_total{phase="Failed",namespace="default"} 1');
    expect(text).toContain('onexit_workflow_duration_seconds_bucket{le="30"} 1');
    expect(text).toContain(
      'onexit_exit_handler_start_latency_milliseconds_bucket{le="50",namespace="default"} 1',
    );
    expect(text).toContain(
      'onexit_exit_handler_start_latency_milliseconds_bucket{le="25",namespace="default"} 0',
    );
    expect(text).toContain("onexit_is_leader 1");
    expect(text).toContain('onexit_reports_total{outcome="accepted"} 1');
  });

  it("when default metrics are on, then Node process metrics carry the onexit_ prefix", async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).not.toContain("onexit_process_");
  });
});
