// Issue 5: Prometheus scrapes onexit, and the numbers match the workflows just run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "./kube.ts";
import { startPrometheus, type RunningPrometheus } from "./prometheus.ts";
import { createWorkflow, oneStepWorkflow, waitForWorkflowDone } from "./workflow-helpers.ts";

// Its own namespace, so other suites' workflows do not move these counters.
const ns = "default";

function workflow(exitCode: number): string {
  return oneStepWorkflow({
    prefix: "metrics",
    step: `exit ${exitCode}`,
    handler: "echo {{workflow.status}}",
  });
}

describe("prometheus", () => {
  let prometheus: RunningPrometheus;
  const completed = (phase: string): string =>
    `sum(onexit_workflows_completed_total{phase="${phase}",namespace="${ns}"}) or vector(0)`;
  const handlerCount = `sum(onexit_exit_handler_start_latency_milliseconds_count{namespace="${ns}"}) or vector(0)`;

  beforeAll(async () => {
    prometheus = await startPrometheus("onexit");
    // The resilience suite may have rolled the coordinator: follow the pods until all four are up.
    await waitFor(
      async () => {
        prometheus.refreshTargets();
        return (await prometheus.query('count(up{job="onexit"} == 1)')) >= 4 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, description: "four onexit pods scraped" },
    );
  });
  afterAll(async () => prometheus?.stop());

  it("when workflows complete, then the scraped counters move by exactly those workflows", async () => {
    const before = {
      succeeded: await prometheus.query(completed("Succeeded")),
      failed: await prometheus.query(completed("Failed")),
      handlers: await prometheus.query(handlerCount),
    };
    const names = [
      createWorkflow(ns, workflow(0)),
      createWorkflow(ns, workflow(0)),
      createWorkflow(ns, workflow(1)),
    ];
    for (const name of names) await waitForWorkflowDone(ns, name);

    const expected = {
      succeeded: before.succeeded + 2,
      failed: before.failed + 1,
      handlers: before.handlers + 3,
    };
    const after = await waitFor(
      async () => {
        const now = {
          succeeded: await prometheus.query(completed("Succeeded")),
          failed: await prometheus.query(completed("Failed")),
          handlers: await prometheus.query(handlerCount),
        };
        return now.succeeded >= expected.succeeded &&
          now.failed >= expected.failed &&
          now.handlers >= expected.handlers
          ? now
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    expect(after).toEqual(expected);
    expect(await prometheus.query("sum(onexit_is_leader)")).toBe(1);
    expect(await prometheus.query('sum(onexit_webhook_requests_total{outcome="injected"})')).toBeGreaterThan(
      0,
    );
    expect(await prometheus.query("count(process_resident_memory_bytes)")).toBeGreaterThanOrEqual(4);
  });
});
