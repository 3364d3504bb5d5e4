import type { V1ConfigMap, V1ObjectMeta, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createLogger } from "../common/log.ts";
import { FINALIZER } from "../common/names.ts";
import type { Workflow, WorkflowStatus, Action } from "./engine/index.ts";
import { Applier, type ApplierClient } from "./applier.ts";
import { CreateRefusals } from "./create-refusals.ts";
import { decompressNodes, NodeStatusPacking } from "./node-status-packing.ts";

const apiError = (code: number, message?: string): Error =>
  Object.assign(new Error(`HTTP ${code}`), {
    code,
    ...(message === undefined ? {} : { body: JSON.stringify({ kind: "Status", message }) }),
  });

function workflow(status: WorkflowStatus = { phase: "Running" }, finalizers?: string[]): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name: "wf",
      namespace: "ns",
      uid: "u1",
      resourceVersion: "100",
      ...(finalizers ? { finalizers } : {}),
    },
    spec: { templates: [] },
    status,
  };
}

const pod = (name: string): V1Pod => ({ metadata: { name } });

/** Metadata of an object whose controller is the workflow with that uid. */
const controlledBy = (name: string, uid: string): V1ObjectMeta => ({
  name,
  ownerReferences: [
    {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      name: "wf",
      uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ],
});

interface Recorder {
  client: ApplierClient;
  calls: string[];
  failures: Map<string, Error>;
  bodies: Map<string, unknown>;
  /** What a GET finds, by `kind/name`. */
  existing: Map<string, V1Pod | V1ConfigMap>;
}

function recorder(): Recorder {
  const calls: string[] = [];
  const failures = new Map<string, Error>();
  const bodies = new Map<string, unknown>();
  const existing = new Map<string, V1Pod | V1ConfigMap>();
  let rv = 100;
  const step = async (call: string, body?: unknown): Promise<void> => {
    calls.push(call);
    bodies.set(call, body);
    const failure = failures.get(call);
    if (failure) throw failure;
  };
  const client: ApplierClient = {
    getPod: async (_ns, n) => (await step(`getPod ${n}`), existing.get(`pod/${n}`)),
    getConfigMap: async (_ns, n) => (await step(`getConfigMap ${n}`), existing.get(`configmap/${n}`)),
    createPod: async (_ns, p) => (await step(`createPod ${p.metadata?.name}`), p),
    deletePod: (_ns, n) => step(`deletePod ${n}`),
    patchPod: async (_ns, n, patch) => (await step(`patchPod ${n}`, patch), pod(n)),
    createConfigMap: (_ns, cm) => step(`createConfigMap ${cm.metadata?.name}`),
    patchWorkflow: async (_ns, _n, patch) => {
      const finalizers = (patch.metadata as { finalizers: string[] }).finalizers;
      await step(`patchWorkflow finalizers=${finalizers.join(",")}`, patch);
      return {
        ...workflow(),
        metadata: { ...workflow().metadata, resourceVersion: String(++rv), finalizers },
      };
    },
    replaceConfigMap: (_ns, cm) => step(`replaceConfigMap ${cm.metadata?.name}`, cm),
    replaceWorkflow: async (wf) => {
      await step(`replaceStatus phase=${wf.status?.phase}`, wf);
      return { ...wf, metadata: { ...wf.metadata, resourceVersion: String(++rv) } };
    },
    createEvent: async (_ns, e) => step(`createEvent ${e.reason}`, e),
  };
  return { client, calls, failures, bodies, existing };
}

function applier(r: Recorder, now = 5000, packing?: NodeStatusPacking) {
  const observed: { handlerMs: number[]; completed: string[] } = { handlerMs: [], completed: [] };
  const created: string[] = [];
  const superseded: string[] = [];
  const refused = new CreateRefusals();
  const a = new Applier({
    client: r.client,
    now: () => now,
    logger: createLogger({ write: () => undefined, now: () => new Date(0) }),
    identity: "coord-0",
    metrics: {
      observeHandlerStart: (ms) => observed.handlerMs.push(ms),
      workflowCompleted: (phase, ns, s) => observed.completed.push(`${phase} ${ns} ${s}`),
    },
    onPodCreated: (key, name) => created.push(`${key} ${name}`),
    onWorkflowWritten: (key, version) => superseded.push(`${key}@${version}`),
    createRefusals: refused,
    ...(packing === undefined ? {} : { packing }),
  });
  return { a, observed, created, superseded, refused };
}

const everyAction: Action[] = [
  { kind: "event", type: "Normal", reason: "WorkflowFailed", message: "m" },
  { kind: "removeFinalizer" },
  { kind: "deletePod", name: "old", reason: "Stop" },
  { kind: "labelPodCompleted", name: "done" },
  { kind: "createPod", pod: pod("wf-exit-handler-1"), exitHandler: true },
  { kind: "createConfigMap", configMap: { metadata: { name: "wf-onexit-logs" } } },
  { kind: "addFinalizer" },
];

describe("Applier", () => {
  it("when every action kind is returned, then they run in the documented order around the status write", async () => {
    const r = recorder();
    const { a } = applier(r);
    await a.apply(workflow(), { status: { phase: "Failed" }, actions: everyAction }, { since: 0 });
    expect(r.calls).toEqual([
      `patchWorkflow finalizers=${FINALIZER}`,
      "createConfigMap wf-onexit-logs",
      "createPod wf-exit-handler-1",
      "replaceStatus phase=Failed",
      "deletePod old",
      "patchPod done",
      "createEvent WorkflowFailed",
      "patchWorkflow finalizers=",
    ]);
  });

  it("when the workflow object changes along the way, then each write carries the version the previous one returned", async () => {
    const r = recorder();
    const { a, superseded } = applier(r);
    await a.apply(
      workflow(),
      { status: { phase: "Succeeded" }, actions: [{ kind: "addFinalizer" }, { kind: "removeFinalizer" }] },
      { since: 0 },
    );
    const status = r.bodies.get("replaceStatus phase=Succeeded") as Workflow;
    expect(status.metadata.resourceVersion).toBe("101");
    const removal = r.bodies.get("patchWorkflow finalizers=") as { metadata: { resourceVersion: string } };
    expect(removal.metadata.resourceVersion).toBe("102");
    expect(superseded).toEqual(["ns/wf@100", "ns/wf@101", "ns/wf@102"]);
  });

  it("when the status is unchanged and there are no actions, then nothing is written", async () => {
    const r = recorder();
    const { a, superseded } = applier(r);
    await a.apply(
      workflow({ phase: "Running", nodes: {} }),
      { status: { nodes: {}, phase: "Running" }, actions: [] },
      { since: 0 },
    );
    expect(r.calls).toEqual([]);
    expect(superseded).toEqual([]);
  });

  it("when the finalizer is already there or already gone, then no patch is sent", async () => {
    const r = recorder();
    const { a } = applier(r);
    await a.apply(
      workflow({ phase: "Running" }, [FINALIZER]),
      { status: { phase: "Running" }, actions: [{ kind: "addFinalizer" }] },
      { since: 0 },
    );
    await a.apply(
      workflow({ phase: "Running" }),
      { status: { phase: "Running" }, actions: [{ kind: "removeFinalizer" }] },
      { since: 0 },
    );
    expect(r.calls).toEqual([]);
  });

  it("when the pod already exists and is this workflow's, or is already gone, then the action counts as done", async () => {
    const r = recorder();
    r.failures.set("createPod p1", apiError(409));
    r.existing.set("pod/p1", { metadata: controlledBy("p1", "u1") });
    r.failures.set("deletePod p2", apiError(404));
    r.failures.set("patchPod p3", apiError(404));
    const { a, observed, created, refused } = applier(r);
    const actions: Action[] = [
      { kind: "createPod", pod: pod("p1"), exitHandler: true },
      { kind: "deletePod", name: "p2", reason: "r" },
      { kind: "labelPodCompleted", name: "p3" },
    ];
    await expect(
      a.apply(workflow(), { status: { phase: "Running" }, actions }, { since: 0 }),
    ).resolves.toBeUndefined();
    expect(observed.handlerMs).toEqual([]);
    expect(created).toEqual(["ns/wf p1"]);
    expect(refused.count("ns/wf")).toBe(0);
  });

  it("when the status write conflicts, then apply fails and nothing after the status runs", async () => {
    const r = recorder();
    r.failures.set("replaceStatus phase=Failed", apiError(409));
    const { a } = applier(r);
    await expect(
      a.apply(workflow(), { status: { phase: "Failed" }, actions: everyAction }, { since: 0 }),
    ).rejects.toMatchObject({
      code: 409,
    });
    expect(r.calls.at(-1)).toBe("replaceStatus phase=Failed");
  });

  it("when one pod create fails on a server error, then its siblings are still created, it waits, and the status is written", async () => {
    const r = recorder();
    r.failures.set("createPod a", apiError(500));
    const { a, created } = applier(r);
    const actions: Action[] = [
      { kind: "createPod", pod: pod("a"), exitHandler: false },
      { kind: "createPod", pod: pod("b"), exitHandler: false },
    ];
    await a.apply(workflow(), { status: { phase: "Running", message: "x" }, actions }, { since: 0 });
    expect(r.calls).toEqual(["createPod a", "createPod b", "replaceStatus phase=Running"]);
    expect(created).toEqual(["ns/wf b"]);
  });

  it.each([400, 422, 403])(
    "when the API server refuses a pod with %i, then the refusal is recorded, the status still written and apply succeeds",
    async (code) => {
      const r = recorder();
      const refusal = Object.assign(new Error(`HTTP ${code}`), {
        code,
        body: JSON.stringify({ kind: "Status", message: "quantities must match the regular expression" }),
      });
      r.failures.set("createPod wf", refusal);
      const { a, created, refused } = applier(r);
      const actions: Action[] = [
        { kind: "createPod", pod: pod("wf"), exitHandler: false },
        { kind: "createPod", pod: pod("other"), exitHandler: false },
      ];
      await expect(
        a.apply(workflow(), { status: { phase: "Running", message: "x" }, actions }, { since: 0 }),
      ).resolves.toBeUndefined();
      expect(r.calls).toEqual(["createPod wf", "createPod other", "replaceStatus phase=Running"]);
      expect(refused.factsOf("ns/wf", "u1").podCreateFailures).toEqual({
        wf: `${code}: quantities must match the regular expression`,
      });
      expect(created).toEqual(["ns/wf other"]);
    },
  );

  it("when a pod is refused over quota, then it is recorded as a wait with the API's words, the status written, and a later create clears it", async () => {
    const r = recorder();
    const message =
      'pods "wf" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
    r.failures.set("createPod wf", apiError(403, message));
    const { a, created, refused } = applier(r);
    const actions: Action[] = [{ kind: "createPod", pod: pod("wf"), exitHandler: false }];
    await a.apply(workflow(), { status: { phase: "Running" }, actions }, { since: 0 });
    expect(refused.factsOf("ns/wf", "u1")).toEqual({ podsAwaitingCreate: { wf: `403: ${message}` } });
    expect(created).toEqual([]);

    r.failures.delete("createPod wf");
    await a.apply(workflow(), { status: { phase: "Running" }, actions }, { since: 0 });
    expect(refused.factsOf("ns/wf", "u1")).toEqual({});
    expect(created).toEqual(["ns/wf wf"]);
  });

  it.each([
    [500, 'Internal error occurred: failed calling webhook "inject.onexit.dev": connection refused'],
    [429, "too many requests"],
    [503, "unavailable"],
  ])(
    "when a pod create fails with %i, then it is recorded as a wait naming the reason and apply succeeds",
    async (code, message) => {
      const r = recorder();
      r.failures.set("createPod wf", apiError(code, message));
      const { a, refused } = applier(r);
      const actions: Action[] = [{ kind: "createPod", pod: pod("wf"), exitHandler: false }];
      await a.apply(workflow(), { status: { phase: "Running", message: "x" }, actions }, { since: 0 });
      expect(refused.factsOf("ns/wf", "u1").podsAwaitingCreate).toEqual({
        wf: `pod not created yet, retrying: ${code}: ${message}`,
      });
    },
  );

  it("when a pod create fails without an HTTP status (a timeout), then it waits too", async () => {
    const r = recorder();
    r.failures.set("createPod wf", new Error("ETIMEDOUT"));
    const { a, refused } = applier(r);
    const actions: Action[] = [{ kind: "createPod", pod: pod("wf"), exitHandler: false }];
    await a.apply(workflow(), { status: { phase: "Running" }, actions }, { since: 0 });
    expect(refused.factsOf("ns/wf", "u1").podsAwaitingCreate?.wf).toContain("ETIMEDOUT");
  });

  it.each([
    ["nobody", { name: "wf" }, undefined],
    ["a deleted namesake", controlledBy("wf", "old"), "Workflow wf, uid old"],
  ])(
    "when a pod under the step's name already exists and is controlled by %s, then it is not adopted but recorded as foreign",
    async (_who, metadata, controller) => {
      const r = recorder();
      r.failures.set("createPod wf", apiError(409));
      r.existing.set("pod/wf", { metadata });
      const { a, created, refused } = applier(r);
      const actions: Action[] = [{ kind: "createPod", pod: pod("wf"), exitHandler: false }];
      await a.apply(workflow(), { status: { phase: "Running", message: "x" }, actions }, { since: 0 });
      expect(created).toEqual([]);
      const foreign =
        controller === undefined ? { kind: "Pod", name: "wf" } : { kind: "Pod", name: "wf", controller };
      expect(refused.factsOf("ns/wf", "u1")).toEqual({ foreignObjects: [foreign] });
      expect(r.calls).toEqual(["createPod wf", "getPod wf", "replaceStatus phase=Running"]);
    },
  );

  const handlerMounting = (configMap: string): V1Pod => ({
    metadata: { name: "wf-handler-1" },
    spec: { containers: [], volumes: [{ name: "onexit-logs", configMap: { name: configMap } }] },
  });
  const withLogTails: Action[] = [
    { kind: "createConfigMap", configMap: { metadata: { name: "wf-onexit-logs" } } },
    { kind: "createPod", pod: handlerMounting("wf-onexit-logs"), exitHandler: true },
  ];

  it("when the log tails ConfigMap already exists and is someone else's, then it is recorded as foreign and the pod mounting it waits", async () => {
    const r = recorder();
    r.failures.set("createConfigMap wf-onexit-logs", apiError(409));
    r.existing.set("configmap/wf-onexit-logs", {
      metadata: { name: "wf-onexit-logs" },
      data: { x: "forged" },
    });
    const { a, created, refused } = applier(r);
    await a.apply(
      workflow(),
      { status: { phase: "Running", message: "x" }, actions: withLogTails },
      { since: 0 },
    );
    expect(r.calls).toEqual([
      "createConfigMap wf-onexit-logs",
      "getConfigMap wf-onexit-logs",
      "replaceStatus phase=Running",
    ]);
    expect(created).toEqual([]);
    expect(refused.factsOf("ns/wf", "u1")).toEqual({
      foreignObjects: [{ kind: "ConfigMap", name: "wf-onexit-logs" }],
      podsAwaitingCreate: { "wf-handler-1": "ConfigMap ns/wf-onexit-logs is not owned by this workflow" },
    });
  });

  it("when the log tails ConfigMap already exists and is this workflow's, then the pod is created", async () => {
    const r = recorder();
    r.failures.set("createConfigMap wf-onexit-logs", apiError(409));
    r.existing.set("configmap/wf-onexit-logs", { metadata: controlledBy("wf-onexit-logs", "u1") });
    const { a, created } = applier(r);
    await a.apply(workflow(), { status: { phase: "Running" }, actions: withLogTails }, { since: 0 });
    expect(created).toEqual(["ns/wf wf-handler-1"]);
  });

  it("when the log tails ConfigMap is this workflow's but holds an earlier run's tails (argo retry), then it takes this run's before the pod is created", async () => {
    const r = recorder();
    r.failures.set("createConfigMap wf-onexit-logs", apiError(409));
    r.existing.set("configmap/wf-onexit-logs", {
      metadata: controlledBy("wf-onexit-logs", "u1"),
      data: { "old.log": "first run" },
    });
    const actions: Action[] = [
      {
        kind: "createConfigMap",
        configMap: { metadata: { name: "wf-onexit-logs" }, data: { "new.log": "again" } },
      },
      { kind: "createPod", pod: handlerMounting("wf-onexit-logs"), exitHandler: true },
    ];
    const { a, created } = applier(r);
    await a.apply(workflow(), { status: { phase: "Running" }, actions }, { since: 0 });
    expect(r.calls.slice(0, 4)).toEqual([
      "createConfigMap wf-onexit-logs",
      "getConfigMap wf-onexit-logs",
      "replaceConfigMap wf-onexit-logs",
      "createPod wf-handler-1",
    ]);
    expect((r.bodies.get("replaceConfigMap wf-onexit-logs") as V1ConfigMap).data).toEqual({
      "new.log": "again",
    });
    expect(created).toEqual(["ns/wf wf-handler-1"]);
  });

  it("when the engine asks for labels, then they are written with the status in one update, and nothing is written when both are as asked", async () => {
    const r = recorder();
    const { a } = applier(r);
    const labels = { "workflows.argoproj.io/phase": "Failed", "workflows.argoproj.io/completed": "true" };
    await a.apply(workflow(), { status: { phase: "Failed" }, labels, actions: [] }, { since: 0 });
    const written = r.bodies.get("replaceStatus phase=Failed") as Workflow;
    expect(written.metadata.labels).toMatchObject(labels);
    const same = { ...workflow(), status: { phase: "Failed" as const } };
    same.metadata = { ...same.metadata, labels: { ...same.metadata.labels, ...labels } };
    const again = recorder();
    await applier(again).a.apply(same, { status: { phase: "Failed" }, labels, actions: [] }, { since: 0 });
    expect(again.calls).toEqual([]);
  });

  it("when the namespace is being deleted, then the refused ConfigMap is recorded, its pod waits, and the status is still written", async () => {
    const r = recorder();
    const terminating =
      'configmaps "wf-onexit-logs" is forbidden: unable to create new content in namespace ns because it is being terminated';
    r.failures.set("createConfigMap wf-onexit-logs", apiError(403, terminating));
    const { a, created, refused } = applier(r);
    await a.apply(
      workflow(),
      { status: { phase: "Running", message: "x" }, actions: withLogTails },
      { since: 0 },
    );
    expect(created).toEqual([]);
    expect(refused.factsOf("ns/wf", "u1")).toEqual({
      configMapCreateFailures: { "wf-onexit-logs": `403: ${terminating}` },
      podsAwaitingCreate: {
        "wf-handler-1": `ConfigMap ns/wf-onexit-logs could not be created: 403: ${terminating}`,
      },
    });
    expect(r.calls.at(-1)).toBe("replaceStatus phase=Running");
  });

  it("when the handler pod is created, then the latency from the first triggering event is observed", async () => {
    const r = recorder();
    const { a, observed } = applier(r, 5042);
    await a.apply(
      workflow(),
      { status: { phase: "Running" }, actions: [{ kind: "createPod", pod: pod("h"), exitHandler: true }] },
      { since: 5000 },
    );
    expect(observed.handlerMs).toEqual([42]);
  });

  it("when the workflow reaches a final phase, then completion and duration are recorded once", async () => {
    const r = recorder();
    const { a, observed } = applier(r);
    const status: WorkflowStatus = {
      phase: "Failed",
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:09Z",
    };
    await a.apply(workflow({ phase: "Running" }), { status, actions: [] }, { since: 0 });
    await a.apply(workflow(status), { status, actions: [] }, { since: 0 });
    expect(observed.completed).toEqual(["Failed ns 9"]);
  });

  it("when an event cannot be recorded, then the reconcile still succeeds", async () => {
    const r = recorder();
    r.failures.set("createEvent X", apiError(403));
    const { a } = applier(r);
    const actions: Action[] = [{ kind: "event", type: "Warning", reason: "X", message: "m" }];
    await expect(
      a.apply(workflow(), { status: { phase: "Running" }, actions }, { since: 0 }),
    ).resolves.toBeUndefined();
    const event = r.bodies.get("createEvent X") as {
      involvedObject: { kind: string; uid: string };
      reportingComponent: string;
    };
    expect(event.involvedObject).toMatchObject({ kind: "Workflow", uid: "u1" });
    expect(event.reportingComponent).toBe("onexit-coordinator");
  });
});

describe("Applier with Argo's node status packing (ONEXIT_MAX_WORKFLOW_SIZE)", () => {
  const manyNodes = (count: number): WorkflowStatus["nodes"] =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `wf-${i}`,
        {
          id: `wf-${i}`,
          name: `wf[0].item(${i}:${i})`,
          displayName: `item(${i}:${i})`,
          type: "Pod",
          phase: "Running",
        },
      ]),
    ) as WorkflowStatus["nodes"];
  const after: Action[] = [
    { kind: "deletePod", name: "old", reason: "Stop" },
    { kind: "event", type: "Normal", reason: "WorkflowFailed", message: "m" },
    { kind: "removeFinalizer" },
  ];

  it("when the workflow is longer than the limit, then its nodes are written compressed and remembered for the next pass", async () => {
    const r = recorder();
    const packing = new NodeStatusPacking({ maxBytes: 2000 });
    const { a } = applier(r, 5000, packing);
    const status: WorkflowStatus = { phase: "Running", nodes: manyNodes(50) };
    await a.apply(workflow(), { status, actions: [] }, { since: 0 });
    const sent = r.bodies.get("replaceStatus phase=Running") as Workflow;
    expect(sent.status?.nodes).toBeUndefined();
    expect(await decompressNodes(sent.status?.compressedNodes ?? "")).toEqual(status.nodes);
    const stored = { ...sent, metadata: { ...sent.metadata, resourceVersion: "101" } };
    expect((await packing.unpack(stored)).status?.nodes).toBe(status.nodes);
  });

  it("when a finalizer is added first, then the status is still compared unpacked (the patch's answer may hold compressedNodes)", async () => {
    const r = recorder();
    const { a } = applier(r, 5000, new NodeStatusPacking({ maxBytes: 2000 }));
    const status: WorkflowStatus = { phase: "Running", nodes: manyNodes(50) };
    await a.apply(workflow(status), { status, actions: [{ kind: "addFinalizer" }] }, { since: 0 });
    expect(r.calls).toEqual([`patchWorkflow finalizers=${FINALIZER}`]);
  });

  it("when it is too long even compressed, then nothing is written, nothing after the status runs, and the engine is told", async () => {
    const r = recorder();
    const { a, refused } = applier(r, 5000, new NodeStatusPacking({ maxBytes: 600 }));
    await a.apply(
      workflow(),
      { status: { phase: "Running", nodes: manyNodes(50) }, actions: after },
      { since: 0 },
    );
    expect(r.calls).toEqual([]);
    expect(refused.factsOf("ns/wf", "u1").statusTooLarge).toMatch(
      /^workflow is longer than maximum allowed size: \d+ bytes, \d+ with status.nodes compressed, more than ONEXIT_MAX_WORKFLOW_SIZE=600$/,
    );
  });

  it("when the engine was told, then its answer is written whatever its size, and the rest follows", async () => {
    const r = recorder();
    const { a, refused } = applier(r, 5000, new NodeStatusPacking({ maxBytes: 600 }));
    refused.recordStatusTooLarge("ns/wf", "u1", "too long");
    const status: WorkflowStatus = { phase: "Error", message: "too long", nodes: manyNodes(50) };
    await a.apply(workflow(), { status, actions: after }, { since: 0 });
    expect(r.calls).toEqual(["replaceStatus phase=Error", "deletePod old", "createEvent WorkflowFailed"]);
    const sent = r.bodies.get("replaceStatus phase=Error") as Workflow;
    expect(sent.status?.compressedNodes).toBeDefined();
  });

  it.each([
    [413, "Request entity too large: limit is 3145728"],
    [500, "etcdserver: request is too large"],
  ])(
    "when the API server refuses the write with %i, then the engine is told in its words",
    async (code, message) => {
      const r = recorder();
      r.failures.set("replaceStatus phase=Running", apiError(code, message));
      const { a, refused } = applier(r, 5000, new NodeStatusPacking({ maxBytes: 1 << 20 }));
      await a.apply(
        workflow(),
        { status: { phase: "Running", nodes: manyNodes(3) }, actions: after },
        { since: 0 },
      );
      expect(r.calls).toEqual(["replaceStatus phase=Running"]);
      expect(refused.factsOf("ns/wf", "u1").statusTooLarge).toMatch(
        new RegExp(
          `^workflow is longer than the API server accepts \\(\\d+ bytes sent, ONEXIT_MAX_WORKFLOW_SIZE=1048576\\): .*${message}`,
        ),
      );
    },
  );
});
