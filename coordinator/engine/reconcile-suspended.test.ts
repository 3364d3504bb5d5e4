import { describe, expect, it } from "vitest";
import { argoResume, argoSuspend } from "./testing/argo-cli.ts";
import {
  createdPods,
  exit,
  kinds,
  node,
  nodeNames,
  podNames,
  podOf,
  running,
  step,
  succeed,
  world,
} from "./testing/world.ts";

const TWO_STEPS = `
spec:
  entrypoint: main
  onExit: report
  templates:
  - name: main
    steps:
    - - {name: first, template: say}
    - - {name: second, template: say}
  - name: say
    container: {image: alpine, command: [echo, hi]}
  - name: report
    container: {image: alpine, args: ["{{workflow.status}}"]}
`;

describe("reconcile: spec.suspend (argo suspend / argo resume)", () => {
  it("when a workflow is created suspended, then no pod starts until it is resumed", () => {
    const w = world(TWO_STEPS);
    argoSuspend(w);
    const held = step(w);
    expect(held.status.phase).toBe("Running");
    expect(createdPods(held)).toEqual([]);
    expect(kinds(held.actions)).toEqual(["addFinalizer", "event"]);
    expect(held.labels).toEqual({
      "workflows.argoproj.io/phase": "Running",
      "workflows.argoproj.io/completed": "false",
    });
    argoResume(w);
    expect(createdPods(step(w))).toHaveLength(1);
  });

  it("when a workflow is suspended while a step runs, then the step runs to its end and is recorded, the next one waits for resume", () => {
    const w = world(TWO_STEPS);
    step(w);
    running(w, "wf[0].first");
    step(w);
    argoSuspend(w);
    exit(w, "wf[0].first", 0);
    const held = step(w);
    expect(node(w, "wf[0].first").phase).toBe("Succeeded");
    expect(kinds(held.actions)).toEqual(["labelPodCompleted"]);
    expect(nodeNames(w)).not.toContain("wf[1].second");
    expect(held.status.phase).toBe("Running");
    expect(step(w, 3_600_000).actions).toEqual([]);

    argoResume(w);
    const resumed = step(w);
    expect(createdPods(resumed).map((p) => p.metadata?.name)).toEqual([
      podOf(w, "wf[1].second").metadata?.name,
    ]);
  });

  it("when the body ended while suspended, then the exit handler waits for resume too", () => {
    const w = world(TWO_STEPS);
    step(w);
    succeed(w, "wf[0].first");
    step(w);
    argoSuspend(w);
    succeed(w, "wf[1].second");
    step(w);
    expect(podNames(w)).toHaveLength(2);
    argoResume(w);
    step(w);
    expect(node(w, "wf.onExit").phase).toBe("Pending");
  });

  it("when a suspended workflow is stopped, then its running step is stopped and its exit handler runs (Argo would stay suspended)", () => {
    const w = world(TWO_STEPS);
    step(w);
    running(w, "wf[0].first");
    argoSuspend(w);
    step(w);
    w.workflow.spec.shutdown = "Stop";
    const stopped = step(w);
    expect(kinds(stopped.actions)).toContain("deletePod");
    expect(node(w, "wf[0].first").phase).toBe("Failed");
    expect(podOf(w, "wf.onExit").spec?.containers[0]?.args).toEqual(["Failed"]);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Stopped with strategy 'Stop'" });
  });

  it("when a suspended workflow has a deadline, then it still counts: the engine wakes then and the handler runs", () => {
    const w = world(TWO_STEPS.replace("onExit: report", "onExit: report\n  activeDeadlineSeconds: 60"));
    step(w);
    running(w, "wf[0].first");
    argoSuspend(w);
    expect(step(w, 10_000).requeueAfterMs).toBe(50_000);
    step(w, 50_000);
    expect(node(w, "wf[0].first")).toMatchObject({ phase: "Failed", message: "Step exceeded its deadline" });
    expect(node(w, "wf.onExit").phase).toBe("Pending");
  });

  it("when Argo's CLI wrote the status back without podName, then a failed step's log tail still reaches the handler", () => {
    const w = world(TWO_STEPS);
    step(w);
    const failedPod = podOf(w, "wf[0].first").metadata?.name ?? "";
    exit(w, "wf[0].first", 1, { log: "boom\n" });
    argoSuspend(w);
    step(w);
    expect(node(w, "wf[0].first").podName).toBe(failedPod);
    argoSuspend(w);
    expect(node(w, "wf[0].first").podName).toBeUndefined();
    argoResume(w);
    step(w);
    expect(w.configMaps["wf-onexit-logs"]?.data).toEqual({ [`${failedPod}.log`]: "boom\n" });
  });
});
