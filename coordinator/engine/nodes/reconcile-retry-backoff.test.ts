import { describe, expect, it } from "vitest";
import { reconcile } from "../reconcile.ts";
import type { ReconcileResult } from "../types.ts";
import { createdPods, fail, node, nodeNames, running, step, succeed, world } from "../testing/world.ts";
import type { World } from "../testing/world.ts";

const nodeNameOf = (pod: { metadata?: { annotations?: Record<string, string> } }): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];

const started = (result: ReconcileResult): (string | undefined)[] => createdPods(result).map(nodeNameOf);

/** Step `a` runs template `flaky` with this retryStrategy; the exit handler `bye` always follows. */
function flaky(retryStrategy: string, extra = ""): World {
  return world(`
spec:
  entrypoint: main
  onExit: bye
  arguments: {parameters: [{name: wait, value: "2s"}, {name: growth, value: "3"}]}
  templates:
  - name: main
    steps: [[{name: a, template: flaky}]]
  - name: flaky
    retryStrategy: ${retryStrategy}
    container: {image: alpine}${extra}
  - {name: bye, container: {image: alpine}}
`);
}

const RETRY = "wf[0].a";

/** Fails the running attempt `n` and reconciles at once: the wait it asks for, and its message. */
function failAttempt(
  w: World,
  n: number,
): { requeueAfterMs: number | undefined; message: string | undefined } {
  fail(w, `${RETRY}(${n})`);
  const result = step(w, 0);
  expect(started(result)).toEqual([]);
  return { requeueAfterMs: result.requeueAfterMs, message: node(w, RETRY).message };
}

/** The handler runs, succeeds, and the workflow ends as expected (a Steps node fails on an Errored step, as in Argo). */
function expectHandlerRunsAndEnds(w: World, result: ReconcileResult, phase: string, message: string): void {
  expect(started(result)).toEqual(["wf.onExit"]);
  succeed(w, "wf.onExit");
  expect(step(w).status).toMatchObject({ phase, message });
}

describe("reconcile: retryStrategy.backoff waits", () => {
  it.each([
    {
      name: "duration and factor: duration × factor^n",
      strategy: `{limit: 3, backoff: {duration: "10s", factor: 2}}`,
      waits: [10_000, 20_000, 40_000],
      messages: ["Backoff for 10 seconds", "Backoff for 20 seconds", "Backoff for 40 seconds"],
    },
    {
      name: "a bare integer is seconds; no factor keeps the wait",
      strategy: `{limit: 3, backoff: {duration: "1"}}`,
      waits: [1_000, 1_000, 1_000],
      messages: ["Backoff for 1 second", "Backoff for 1 second", "Backoff for 1 second"],
    },
    {
      name: "cap bounds the growth",
      strategy: `{limit: 3, backoff: {duration: "1m", factor: 3, cap: "2m"}}`,
      waits: [60_000, 120_000, 120_000],
      messages: [
        "Backoff for 1 minute 0 seconds",
        "Backoff for 2 minutes 0 seconds",
        "Backoff for 2 minutes 0 seconds",
      ],
    },
    {
      name: "a factor of 0 or below does not multiply (as Argo)",
      strategy: `{limit: 3, backoff: {duration: "1500ms", factor: -2}}`,
      waits: [1_500, 1_500, 1_500],
      messages: ["Backoff for 1 second", "Backoff for 1 second", "Backoff for 1 second"],
    },
    {
      name: "parametrized duration and factor are substituted",
      strategy: `{limit: 3, backoff: {duration: "{{inputs.parameters.d}}", factor: "{{inputs.parameters.f}}"}}`,
      extra: `
    inputs: {parameters: [{name: d, value: "{{workflow.parameters.wait}}"}, {name: f, value: "{{workflow.parameters.growth}}"}]}`,
      waits: [2_000, 6_000, 18_000],
      messages: ["Backoff for 2 seconds", "Backoff for 6 seconds", "Backoff for 18 seconds"],
    },
  ])("when $name, then each retry waits its turn and then starts", ({ strategy, extra, waits, messages }) => {
    const w = flaky(strategy, extra);
    expect(started(step(w))).toEqual([`${RETRY}(0)`]);
    for (const [attempt, wait] of waits.entries()) {
      expect(failAttempt(w, attempt)).toEqual({ requeueAfterMs: wait, message: messages[attempt] });
      expect(node(w, RETRY).phase).toBe("Running");
      const almost = step(w, wait - 400);
      expect(started(almost)).toEqual([]);
      expect(almost.requeueAfterMs).toBe(400);
      expect(node(w, RETRY).message).toBe(messages[attempt]);
      expect(started(step(w, 400))).toEqual([`${RETRY}(${attempt + 1})`]);
      expect(node(w, RETRY).message).toBeUndefined();
    }
    fail(w, `${RETRY}(${waits.length})`);
    const last = step(w, 0);
    expect(node(w, RETRY)).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
    expectHandlerRunsAndEnds(w, last, "Failed", "Error (exit code 1)");
  });

  it("when an attempt succeeds after a backoff, then the Retry node succeeds without a message", () => {
    const w = flaky(`{limit: 2, backoff: {duration: "5s"}}`);
    step(w);
    failAttempt(w, 0);
    step(w, 5_000);
    succeed(w, `${RETRY}(1)`);
    const result = step(w);
    expect(node(w, RETRY).phase).toBe("Succeeded");
    expect(node(w, RETRY).message).toBeUndefined();
    expect(started(result)).toEqual(["wf.onExit"]);
  });

  it("when the wait is already over at the failure, then the next attempt starts at once", () => {
    const w = flaky(`{limit: 1, backoff: {duration: "500ms"}}`);
    step(w);
    fail(w, `${RETRY}(0)`);
    expect(started(step(w, 1_000))).toEqual([`${RETRY}(1)`]);
  });

  it("when there is no limit, then, as in Argo, the backoff never waits", () => {
    const w = flaky(`{backoff: {duration: "1m"}}`);
    step(w);
    fail(w, `${RETRY}(0)`);
    const result = step(w, 0);
    expect(started(result)).toEqual([`${RETRY}(1)`]);
    expect(result.requeueAfterMs).toBeUndefined();
  });

  it("when the policy will not retry the last phase, then, as in Argo, the backoff is still waited out", () => {
    const w = flaky(`{limit: 2, backoff: {duration: "30s"}}`);
    step(w);
    w.pods = [];
    step(w, 20_000);
    expect(node(w, `${RETRY}(0)`)).toMatchObject({ phase: "Error", message: "pod deleted" });
    expect(node(w, RETRY).message).toBe("Backoff for 30 seconds");
    const result = step(w, 30_000);
    expect(node(w, RETRY)).toMatchObject({ phase: "Error", message: "pod deleted" });
    expect(nodeNames(w)).not.toContain(`${RETRY}(1)`);
    expectHandlerRunsAndEnds(w, result, "Failed", "pod deleted");
  });
});

describe("reconcile: retryStrategy.backoff.maxDuration", () => {
  it("when maxDuration since the first attempt started is over, then the Retry node ends with the last attempt's phase", () => {
    const w = flaky(`{limit: 5, backoff: {duration: "1", maxDuration: "30s"}}`);
    step(w);
    running(w, `${RETRY}(0)`);
    step(w, 31_000);
    fail(w, `${RETRY}(0)`);
    const result = step(w, 0);
    expect(node(w, RETRY)).toMatchObject({ phase: "Failed", message: "Max duration limit exceeded" });
    expect(nodeNames(w)).not.toContain(`${RETRY}(1)`);
    expectHandlerRunsAndEnds(w, result, "Failed", "Max duration limit exceeded");
  });

  it("when the next wait would end after maxDuration, then the Retry node ends without waiting", () => {
    const w = flaky(`{limit: 5, backoff: {duration: "10s", factor: 2, maxDuration: "1m"}}`);
    step(w);
    expect(failAttempt(w, 0).requeueAfterMs).toBe(10_000);
    step(w, 10_000);
    expect(failAttempt(w, 1).requeueAfterMs).toBe(20_000);
    step(w, 20_000);
    fail(w, `${RETRY}(2)`);
    const result = step(w, 0);
    expect(node(w, RETRY)).toMatchObject({
      phase: "Failed",
      message: "Backoff would exceed max duration limit",
    });
    expect(nodeNames(w)).not.toContain(`${RETRY}(3)`);
    expectHandlerRunsAndEnds(w, result, "Failed", "Backoff would exceed max duration limit");
  });
});

describe("reconcile: retryStrategy.backoff values that cannot be read", () => {
  it.each([
    { backoff: `{duration: "abc"}`, message: 'retryStrategy.backoff.duration "abc" is not a duration' },
    { backoff: `{factor: 2}`, message: "retryStrategy.backoff.duration is required" },
    {
      backoff: `{duration: "1", factor: "1.5"}`,
      message: 'retryStrategy.backoff.factor "1.5" is not an integer',
    },
    {
      backoff: `{duration: "1", cap: "lots"}`,
      message: 'retryStrategy.backoff.cap "lots" is not a duration',
    },
    {
      backoff: `{duration: "1", maxDuration: "1d"}`,
      message: 'retryStrategy.backoff.maxDuration "1d" is not a duration',
    },
  ])(
    "when backoff is $backoff, then after a failed attempt the Retry node is Error naming the field",
    ({ backoff, message }) => {
      const w = flaky(`{limit: 2, backoff: ${backoff}}`);
      step(w);
      fail(w, `${RETRY}(0)`);
      const result = step(w, 0);
      expect(node(w, RETRY)).toMatchObject({ phase: "Error", message });
      expect(nodeNames(w)).not.toContain(`${RETRY}(1)`);
      expectHandlerRunsAndEnds(w, result, "Failed", message);
    },
  );

  it("when the first attempt succeeds, then, as in Argo, a bad backoff is never read", () => {
    const w = flaky(`{limit: 2, backoff: {duration: "abc"}}`);
    step(w);
    succeed(w, `${RETRY}(0)`);
    step(w);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
  });
});

describe("reconcile: stopping a workflow in backoff", () => {
  it.each([
    { how: "Stop", handler: true, nodeMessage: "workflow shutdown with strategy: Stop" },
    { how: "Terminate", handler: false, nodeMessage: "workflow shutdown with strategy: Terminate" },
  ])(
    "when $how arrives during the wait, then the Retry node ends at once",
    ({ how, handler, nodeMessage }) => {
      const w = flaky(`{limit: 3, backoff: {duration: "1m"}}`);
      step(w);
      failAttempt(w, 0);
      w.workflow.spec.shutdown = how as "Stop" | "Terminate";
      const result = step(w);
      expect(node(w, RETRY)).toMatchObject({ phase: "Failed", message: nodeMessage });
      expect(nodeNames(w)).not.toContain(`${RETRY}(1)`);
      expect(result.requeueAfterMs).toBeUndefined();
      if (handler) expectHandlerRunsAndEnds(w, result, "Failed", `Stopped with strategy '${how}'`);
      else
        expect(result.status).toMatchObject({ phase: "Failed", message: `Stopped with strategy '${how}'` });
    },
  );

  it("when the workflow's deadline comes first, then it wakes at the deadline and the Retry node ends there", () => {
    const w = flaky(`{limit: 3, backoff: {duration: "1m"}}`);
    w.workflow.spec.activeDeadlineSeconds = 30;
    step(w);
    step(w, 10_000);
    expect(failAttempt(w, 0).requeueAfterMs).toBe(20_000);
    const result = step(w, 20_000);
    expect(node(w, RETRY)).toMatchObject({ phase: "Failed", message: "Step exceeded its deadline" });
    expect(nodeNames(w)).not.toContain(`${RETRY}(1)`);
    expectHandlerRunsAndEnds(w, result, "Failed", "Step exceeded its deadline");
  });
});

describe("reconcile: backoff across coordinator restarts", () => {
  const again = (w: World, atMs: number): ReconcileResult =>
    reconcile({
      workflow: structuredClone(w.workflow),
      pods: structuredClone(w.pods),
      now: new Date(w.now.getTime() + atMs),
      config: { defaultServiceAccountName: "" },
    });

  it("when a fresh reconcile sees the same status later, then it decides from the attempts' times alone", () => {
    const w = flaky(`{limit: 3, backoff: {duration: "10s", factor: 2}}`);
    step(w);
    failAttempt(w, 0);
    const early = again(w, 4_000);
    expect(started(early)).toEqual([]);
    expect(early.requeueAfterMs).toBe(6_000);
    expect(early.status.nodes?.[node(w, RETRY).id]?.message).toBe("Backoff for 10 seconds");
    expect(again(w, 4_000)).toEqual(early);
    expect(started(again(w, 10_000))).toEqual([`${RETRY}(1)`]);
    expect(started(again(w, 600_000))).toEqual([`${RETRY}(1)`]);
  });
});
