import type { V1Pod } from "@kubernetes/client-node";
import { objectKey, workflowKey } from "../common/workflow-key.ts";
import { describe, expect, it } from "vitest";
import { createLogger } from "../common/log.ts";
import type { Workflow, ReconcileInput, ReconcileResult } from "./engine/index.ts";
import { Controller, type WorkflowCache } from "./controller.ts";
import { CacheExpectations } from "./expectations.ts";
import { CreateRefusals } from "./create-refusals.ts";
import { fakeTimers } from "./testing/fake-timers.ts";

const wf = (name: string, rv = "1", uid = "u1"): Workflow => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name, namespace: "ns", resourceVersion: rv, uid },
  spec: { templates: [] },
  status: { phase: "Running" },
});

function setup(
  opts: {
    results?: (ReconcileResult | Error)[];
    applyErrors?: Error[];
    refuse?: string[];
    /** Status writes the applier finds too long to store (node-status-packing.ts), in turn. */
    tooLarge?: boolean[];
    unpackStatus?: (workflow: Workflow) => Promise<Workflow>;
  } = {},
) {
  const timers = fakeTimers(10_000);
  const workflows = new Map<string, Workflow>([["ns/a", wf("a")]]);
  const pods = new Map<string, V1Pod[]>();
  let synced = true;
  const cache: WorkflowCache = {
    hasSynced: () => synced,
    getWorkflow: (ns, n) => workflows.get(workflowKey(ns, n)),
    listWorkflows: () => [...workflows.values()],
    podsOf: (ns, n) => pods.get(workflowKey(ns, n)) ?? [],
  };
  const inputs: ReconcileInput[] = [];
  const applied: { key: string; since: number; workflow: Workflow }[] = [];
  const tooLarge = opts.tooLarge ?? [];
  const results = opts.results ?? [];
  const applyErrors = opts.applyErrors ?? [];
  const labels: string[] = [];
  const logs: string[] = [];
  const expectations = new CacheExpectations({ now: timers.now });
  const refused = new CreateRefusals();
  const refuse = opts.refuse ?? [];
  const controller = new Controller({
    cache,
    reconcile: (input) => {
      inputs.push(input);
      const next = results.shift() ?? { status: { phase: "Running" }, actions: [] };
      if (next instanceof Error) throw next;
      return next;
    },
    engineConfig: { defaultServiceAccountName: "default" },
    applier: {
      apply: async (w, _r, ctx) => {
        applied.push({ key: objectKey(w), since: ctx.since, workflow: w });
        if (tooLarge.shift() === true) refused.recordStatusTooLarge("ns/a", w.metadata.uid, "too long");
        const pod = refuse.shift();
        if (pod !== undefined) refused.record("ns/a", w.metadata.uid, pod, "400: bad");
        const err = applyErrors.shift();
        if (err) throw err;
      },
    },
    expectations,
    workers: 2,
    timers,
    delay: timers.delay,
    logger: createLogger({ write: (l) => logs.push(l), now: () => new Date(0) }),
    metrics: { observeReconcile: (_s, label) => labels.push(label) },
    createRefusals: refused,
    ...(opts.unpackStatus === undefined ? {} : { unpackStatus: opts.unpackStatus }),
  });
  return {
    refused,
    controller,
    timers,
    workflows,
    pods,
    inputs,
    applied,
    labels,
    logs,
    expectations,
    setSynced: (v: boolean) => (synced = v),
  };
}

describe("Controller", () => {
  it("when a key is processed, then reconcile sees the cached workflow, its own pods, the others as foreign, and now", async () => {
    const s = setup();
    const owned = {
      name: "a",
      ownerReferences: [
        {
          apiVersion: "v",
          kind: "Workflow",
          name: "a",
          uid: "u1",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    };
    s.pods.set("ns/a", [{ metadata: owned }, { metadata: { name: "a-x-1" } }]);
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.inputs[0]?.workflow.metadata.name).toBe("a");
    expect(s.inputs[0]?.pods.map((p) => p.metadata?.name)).toEqual(["a"]);
    expect(s.inputs[0]?.foreignObjects).toEqual([{ kind: "Pod", name: "a-x-1" }]);
    expect(s.inputs[0]?.now.getTime()).toBe(10_000);
    expect(s.labels).toEqual(["success"]);
    expect(s.timers.pending()).toEqual([]);
  });

  it("when apply fails, then the key is retried with growing back-off and keeps its first-dirty time", async () => {
    const conflict = Object.assign(new Error("conflict"), { code: 409 });
    const s = setup({ applyErrors: [conflict, conflict] });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.timers.pending()).toEqual([20]);
    s.timers.advance(20);
    await s.controller.processNext();
    expect(s.timers.pending()).toEqual([40]);
    s.timers.advance(40);
    await s.controller.processNext();
    expect(s.applied.map((a) => a.since)).toEqual([10_000, 10_000, 10_000]);
    expect(s.labels).toEqual(["error", "error", "success"]);
    expect(s.controller.queue.failuresOf("ns/a")).toBe(0);
  });

  it("when the engine throws, then the reconcile counts as an error and is retried", async () => {
    const s = setup({ results: [new Error("engine bug")] });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.labels).toEqual(["error"]);
    expect(s.timers.pending()).toEqual([20]);
    expect(s.logs.join("")).toContain("engine bug");
  });

  it("when the engine asks for a requeue, then the key comes back after exactly that delay", async () => {
    const s = setup({ results: [{ status: {}, actions: [], requeueAfterMs: 5000 }] });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.labels).toEqual(["requeue_after"]);
    expect(s.timers.pending()).toEqual([5000]);
  });

  it("when the workflow is gone from the cache, then nothing is reconciled", async () => {
    const s = setup();
    s.controller.enqueue("ns/missing");
    await s.controller.processNext();
    expect(s.inputs).toEqual([]);
    expect(s.labels).toEqual(["success"]);
  });

  it("when the cache still holds the version we wrote over, then the key waits instead of reconciling stale state", async () => {
    const s = setup();
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    s.expectations.wroteWorkflow("ns/a", "1"); // what the applier reports after a write over version 1
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.inputs.length).toBe(1);
    expect(s.labels).toEqual(["success", "stale"]);
    s.workflows.set("ns/a", wf("a", "2"));
    s.timers.advance(1000);
    await s.controller.processNext();
    expect(s.inputs.length).toBe(2);
  });

  it("when run, then workers wait for the caches, queue every workflow and stop on abort", async () => {
    const s = setup();
    s.setSynced(false);
    const stop = new AbortController();
    const running = s.controller.run(stop.signal);
    await Promise.resolve();
    expect(s.inputs).toEqual([]);
    s.setSynced(true);
    s.timers.advance(100);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(s.inputs.map((i) => i.workflow.metadata.name)).toEqual(["a"]);
    stop.abort();
    await running;
  });

  it("when the applier records a refused pod, then the key is reconciled again at once with the refusal", async () => {
    const s = setup({ refuse: ["a"] });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.inputs[0]?.podCreateFailures).toBeUndefined();
    expect(s.controller.queue.len()).toBe(1);
    await s.controller.processNext();
    expect(s.inputs[1]?.podCreateFailures).toEqual({ a: "400: bad" });
    expect(s.controller.queue.len()).toBe(0);
    expect(s.timers.pending()).toEqual([]);
  });

  it("when the workflow finishes or is deleted, then its refusals are dropped", async () => {
    const s = setup({ results: [{ status: { phase: "Error" }, actions: [] }] });
    s.refused.record("ns/a", "u1", "a", "400: bad");
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.refused.count("ns/a")).toBe(0);
    s.refused.record("ns/a", "u1", "a", "400: bad");
    s.workflows.delete("ns/a");
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.refused.count("ns/a")).toBe(0);
  });

  it("when the engine mutates its input, then the cached workflow is untouched", async () => {
    const s = setup();
    const controller = s.controller;
    s.controller.enqueue("ns/a");
    await controller.processNext();
    s.inputs[0]!.workflow.status!.phase = "Failed";
    expect(s.workflows.get("ns/a")?.status?.phase).toBe("Running");
  });
});

describe("Controller with Argo's compressed node status", () => {
  it("when the cached workflow holds compressedNodes, then the engine and the applier read it unpacked", async () => {
    const unpacked = { ...wf("a"), status: { phase: "Running" as const, nodes: {} } };
    const s = setup({
      unpackStatus: async (w) => (w.status?.compressedNodes === undefined ? w : unpacked),
    });
    s.workflows.set("ns/a", { ...wf("a"), status: { phase: "Running", compressedNodes: "H4sI" } });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.inputs[0]?.workflow).toEqual(unpacked);
    expect(s.applied[0]?.workflow).toBe(unpacked);
  });

  it("when compressedNodes cannot be read, then the reconcile fails and backs off", async () => {
    const s = setup({ unpackStatus: () => Promise.reject(new Error("incorrect header check")) });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.inputs).toEqual([]);
    expect(s.labels).toEqual(["error"]);
    expect(s.timers.pending()).toEqual([20]);
  });

  it("when the status was too long to store, then the engine is told at once, and the fact goes once the workflow is done", async () => {
    const s = setup({
      tooLarge: [true],
      results: [
        { status: { phase: "Running" }, actions: [] },
        { status: { phase: "Error", message: "too long" }, actions: [] },
      ],
    });
    s.controller.enqueue("ns/a");
    await s.controller.processNext();
    expect(s.controller.queue.len()).toBe(1);
    await s.controller.processNext();
    expect(s.inputs[1]?.statusTooLarge).toBe("too long");
    expect(s.refused.factsOf("ns/a", "u1")).toEqual({});
  });
});
