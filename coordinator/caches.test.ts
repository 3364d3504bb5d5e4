import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createLogger } from "../common/log.ts";
import type { Workflow, WorkflowTemplate } from "./engine/index.ts";
import { countByPhase, createCaches, workflowKeyOfPod } from "./caches.ts";
import type { ListWatchSource, WatchEventType } from "./kube-client.ts";
import { fakeTimers } from "./testing/fake-timers.ts";

function source<T>(items: T[]): ListWatchSource<T> & { emit?: (t: WatchEventType, o: T) => void } {
  const s: ListWatchSource<T> & { emit?: (t: WatchEventType, o: T) => void } = {
    list: async () => ({ items, resourceVersion: "1" }),
    watch: async (_rv, onEvent) => {
      s.emit = onEvent;
      return { abort: () => undefined };
    },
  };
  return s;
}

const pod = (name: string, workflow?: string): V1Pod => ({
  metadata: {
    name,
    namespace: "ns",
    resourceVersion: "1",
    labels: workflow ? { "workflows.argoproj.io/workflow": workflow } : {},
  },
});

type CachesOptions = Parameters<typeof createCaches>[0];

/** Caches over the given sources, started and synced (fake timers, a silent logger). */
async function startedCaches(
  options: Pick<CachesOptions, "client" | "onKey"> & Partial<CachesOptions>,
): Promise<ReturnType<typeof createCaches>> {
  const timers = fakeTimers();
  const caches = createCaches({
    namespace: "",
    relistIntervalMs: 60_000,
    now: timers.now,
    delay: timers.delay,
    logger: createLogger({ write: () => undefined, now: () => new Date(0) }),
    ...options,
  });
  caches.start();
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return caches;
}

describe("caches", () => {
  it("when a pod changes, then the key of the workflow named by its label is queued", async () => {
    const wfSource = source<Workflow>([]);
    const podSource = source<V1Pod>([pod("wf-1", "wf")]);
    const keys: string[] = [];
    const caches = await startedCaches({
      client: { workflows: () => wfSource, pods: () => podSource },
      onKey: (k) => keys.push(k),
    });
    expect(caches.hasSynced()).toBe(true);
    expect(keys).toEqual(["ns/wf"]);
    expect(caches.podsOf("ns", "wf").map((p) => p.metadata?.name)).toEqual(["wf-1"]);
    podSource.emit?.("ADDED", pod("stray"));
    expect(keys).toEqual(["ns/wf"]);
    await caches.stop();
  });

  it("when a pod only starts, then its workflow is queued as a change that may wait; when main ends, as urgent", async () => {
    const podSource = source<V1Pod>([]);
    const keys: [string, boolean][] = [];
    const caches = await startedCaches({
      client: { workflows: () => source<Workflow>([]), pods: () => podSource },
      onKey: (k, urgent) => keys.push([k, urgent]),
    });
    const started = pod("wf-1", "wf");
    podSource.emit?.("ADDED", started);
    const ended: V1Pod = {
      ...started,
      metadata: { ...started.metadata, resourceVersion: "9" },
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name: "main",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 0 } },
          },
        ],
      },
    };
    podSource.emit?.("MODIFIED", ended);
    expect(keys).toEqual([
      ["ns/wf", false],
      ["ns/wf", true],
    ]);
    await caches.stop();
  });

  it("when the event of a workflow version this replica wrote arrives, then nothing is queued; any other version is", async () => {
    const wf = (rv: string): Workflow =>
      ({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { name: "wf", namespace: "ns", resourceVersion: rv },
        spec: {},
      }) as Workflow;
    const wfSource = source<Workflow>([wf("1")]);
    const keys: string[] = [];
    const caches = await startedCaches({
      client: { workflows: () => wfSource, pods: () => source<V1Pod>([]) },
      onKey: (k) => keys.push(k),
      isOwnWrite: (_key, version) => version === "2",
    });
    expect(keys).toEqual(["ns/wf"]);
    wfSource.emit?.("MODIFIED", wf("2"));
    expect(keys).toEqual(["ns/wf"]);
    wfSource.emit?.("MODIFIED", wf("3"));
    expect(keys).toEqual(["ns/wf", "ns/wf"]);
    await caches.stop();
  });

  it("when templates are cached, then a WorkflowTemplate is found by namespace and a ClusterWorkflowTemplate by name alone, and neither queues a key", async () => {
    const template = (name: string, namespace?: string): WorkflowTemplate => ({
      kind: namespace === undefined ? "ClusterWorkflowTemplate" : "WorkflowTemplate",
      metadata: { name, resourceVersion: "1", ...(namespace === undefined ? {} : { namespace }) },
      spec: {},
    });
    const keys: string[] = [];
    const caches = await startedCaches({
      client: {
        workflows: () => source<Workflow>([]),
        pods: () => source<V1Pod>([]),
        workflowTemplates: () => source([template("wt", "ns")]),
        clusterWorkflowTemplates: () => source([template("cwt")]),
      },
      onKey: (k) => keys.push(k),
    });
    expect(caches.workflowTemplate("ns", "wt")?.metadata.name).toBe("wt");
    expect(caches.workflowTemplate("other", "wt")).toBeUndefined();
    expect(caches.workflowTemplate("", "cwt")?.kind).toBe("ClusterWorkflowTemplate");
    expect(keys).toEqual([]);
    await caches.stop();
  });

  it("when a pod has no workflow label, then it belongs to no workflow", () => {
    expect(workflowKeyOfPod(pod("p"))).toBeUndefined();
    expect(workflowKeyOfPod(pod("p", "w"))).toBe("ns/w");
  });

  it("when counting workflows, then a missing phase counts as Pending", () => {
    const wf = (phase?: Workflow["status"]): Workflow =>
      ({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: {},
        spec: { templates: [] },
        status: phase,
      }) as Workflow;
    expect(countByPhase([wf(), wf({ phase: "Running" }), wf({ phase: "" })])).toEqual(
      new Map([
        ["Pending", 2],
        ["Running", 1],
      ]),
    );
  });
});
