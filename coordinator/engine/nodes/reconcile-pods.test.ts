import { describe, expect, it } from "vitest";
import { LABEL_COMPLETED } from "../../../common/names.ts";
import { reconcile } from "../reconcile.ts";
import {
  createdPods,
  exit,
  kinds,
  node,
  podOf,
  running,
  START,
  step,
  updatePod,
  world,
  ONE_STEP_WITH_HANDLER,
} from "../testing/world.ts";

describe("reconcile: step results from pods", () => {
  it("when the workflow is a single pod, then the pod is named after the workflow", () => {
    const w = world(ONE_STEP_WITH_HANDLER, "hello-x1");
    expect(createdPods(step(w))[0]?.metadata?.name).toBe("hello-x1");
    expect(node(w, "hello-x1")).toMatchObject({
      id: "hello-x1",
      type: "Pod",
      podName: "hello-x1",
      phase: "Pending",
    });
  });

  it("when the pod is pending, then the node stays Pending; when main runs, Running with its host", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    updatePod(w, "wf", (pod) => {
      pod.status = { phase: "Pending" };
    });
    step(w);
    expect(node(w, "wf").phase).toBe("Pending");
    running(w, "wf");
    step(w);
    expect(node(w, "wf")).toMatchObject({ phase: "Running", hostNodeName: "node-1" });
  });

  it("when the report and the pod status disagree, then the report wins", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    exit(w, "wf", 0, { report: false });
    exit(w, "wf", 7, { log: "boom\n" });
    step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Failed",
      message: "Error (exit code 7)",
      outputs: { exitCode: "7", result: "boom" },
    });
    expect(node(w, "wf").logBytes).toBe(5);
  });

  it("when there is no report, then main's terminated state decides", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    const exitedAt = w.now.toISOString();
    exit(w, "wf", 2, { report: false });
    step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Failed",
      message: "Error (exit code 2)",
      outputs: { exitCode: "2" },
    });
    expect(node(w, "wf").finishedAt).toBe(exitedAt);
  });

  it("when main exits 0 without a report, then the step succeeds", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    exit(w, "wf", 0, { report: false });
    step(w);
    expect(node(w, "wf")).toMatchObject({ phase: "Succeeded", outputs: { exitCode: "0" } });
  });

  it("when main has exited but the sidecar is still reporting, then the step waits for the report", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    updatePod(w, "wf", (pod) => {
      const terminated = { exitCode: 1, startedAt: w.now, finishedAt: w.now };
      const base = { image: "x", imageID: "", ready: false, restartCount: 0 };
      pod.status = {
        phase: "Running",
        containerStatuses: [
          { ...base, name: "main", state: { terminated } },
          { ...base, name: "wait", state: { running: { startedAt: w.now } } },
        ],
      };
    });
    expect(createdPods(step(w))).toEqual([]);
    expect(node(w, "wf").phase).toBe("Running");
    exit(w, "wf", 1, { log: "the reason\n" });
    const result = step(w);
    const configMap = result.actions.find((a) => a.kind === "createConfigMap");
    expect(configMap?.kind === "createConfigMap" && configMap.configMap.data).toEqual({
      "wf.log": "the reason\n",
    });
  });

  it("when the pod failed without main terminating (evicted), then the step is Error with the pod's reason", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    updatePod(w, "wf", (pod) => {
      pod.status = { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory." };
    });
    const result = step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Error",
      message: "Evicted: The node was low on resource: memory.",
    });
    expect(createdPods(result).map((p) => p.metadata?.name)).toEqual([expect.stringMatching(/^wf-bye-\d+$/)]);
    expect(result.status.phase).toBe("Running");
  });

  it("when a running pod vanishes, then after the cache grace the step is Error 'pod deleted' and the handler runs", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    running(w, "wf");
    step(w);
    w.pods = [];
    const result = step(w, 15_000);
    expect(node(w, "wf")).toMatchObject({ phase: "Error", message: "pod deleted" });
    expect(createdPods(result)).toHaveLength(1);
  });

  it("when a just-created pod is not in the cache yet, then the engine waits (no second create) and asks to look again", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    w.pods = [];
    const result = step(w, 2_000);
    expect(node(w, "wf").phase).toBe("Pending");
    expect(createdPods(result)).toEqual([]);
    expect(result.requeueAfterMs).toBe(8_000);
  });

  it("when someone else deletes a pod, then the node keeps its state until the pod is gone, then errors", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    running(w, "wf");
    updatePod(w, "wf", (pod) => {
      pod.metadata = { ...pod.metadata, deletionTimestamp: new Date(w.now) };
    });
    step(w);
    expect(node(w, "wf").phase).toBe("Running");
    w.pods = [];
    step(w, 20_000);
    expect(node(w, "wf")).toMatchObject({ phase: "Error", message: "pod deleted" });
  });

  it("when a result is recorded, then the pod is labelled completed once", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    exit(w, "wf", 0);
    const result = step(w);
    expect(result.actions[0]).toEqual({ kind: "labelPodCompleted", name: "wf" });
    expect(podOf(w, "wf").metadata?.labels?.[LABEL_COMPLETED]).toBe("true");
    expect(kinds(step(w).actions)).not.toContain("labelPodCompleted");
  });

  it("when a terminal node's pod later changes, then the node never changes (monotonic)", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    exit(w, "wf", 1);
    step(w);
    const before = node(w, "wf");
    exit(w, "wf", 0);
    step(w);
    expect(node(w, "wf")).toEqual(before);
  });

  it("when the status was lost after pods were created (restart), then existing pods are adopted and never created again", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    exit(w, "wf", 1);
    step(w);
    // Lost before it was written: the completed labels, which follow a written status, never came.
    const pods = structuredClone(w.pods).map((p) => ({ ...p, metadata: { ...p.metadata, labels: {} } }));
    expect(pods).toHaveLength(2);
    const fresh = reconcile({
      workflow: { ...w.workflow, status: undefined },
      pods,
      now: new Date(START.getTime() + 60_000),
      config: { defaultServiceAccountName: "" },
    });
    expect(kinds(fresh.actions)).not.toContain("createPod");
    expect(Object.values(fresh.status.nodes ?? {}).map((n) => [n.name, n.phase])).toEqual([
      ["wf", "Failed"],
      ["wf.onExit", "Pending"],
    ]);
  });

  it("when the same reports arrive again, then nothing is emitted twice", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    exit(w, "wf", 1);
    step(w);
    exit(w, "wf.onExit", 0);
    const done = step(w);
    expect(done.status.phase).toBe("Failed");
    exit(w, "wf.onExit", 0);
    expect(step(w).actions).toEqual([]);
  });

  it("when the engine config names a default service account, then pods use it unless the workflow sets one", () => {
    const wf = world(ONE_STEP_WITH_HANDLER).workflow;
    const result = reconcile({
      workflow: wf,
      pods: [],
      now: START,
      config: { defaultServiceAccountName: "runner" },
    });
    expect(createdPods(result)[0]?.spec?.serviceAccountName).toBe("runner");
  });
});
