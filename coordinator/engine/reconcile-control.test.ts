import { describe, expect, it } from "vitest";
import { FINALIZER } from "../../common/names.ts";
import {
  createdPods,
  events,
  exit,
  fail,
  kinds,
  node,
  nodeNames,
  phases,
  running,
  step,
  succeed,
  world,
} from "./testing/world.ts";
import type { World } from "./testing/world.ts";

const nodeNameOf = (pod: { metadata?: { annotations?: Record<string, string> } }): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];

const deletes = (w: World): string[] =>
  (w.last?.actions ?? []).flatMap((a) => (a.kind === "deletePod" ? [a.name] : []));

const RETRY = `
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: flaky}]]
  - name: flaky
    retryStrategy: {limit: 2}
    container: {image: alpine}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
`;

const LONG = `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - {name: a, template: sleep}
      - {name: b, template: sleep}
    - - {name: c, template: sleep}
  - {name: sleep, container: {image: alpine}}
  - {name: bye, container: {image: alpine, args: ["{{workflow.status}}"]}}
`;

describe("reconcile: retries", () => {
  it("when an attempt fails within the limit, then a new attempt runs as a child of the Retry node", () => {
    const w = world(RETRY);
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].a(0)"]);
    expect(node(w, "wf[0].a")).toMatchObject({ type: "Retry", phase: "Running" });
    expect(node(w, "wf[0].a(0)")).toMatchObject({ type: "Pod", displayName: "a(0)", boundaryID: "wf" });
    fail(w, "wf[0].a(0)");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].a(1)"]);
    exit(w, "wf[0].a(1)", 0, { outputs: { p: "ok" } });
    const result = step(w);
    expect(node(w, "wf[0].a")).toMatchObject({
      phase: "Succeeded",
      outputs: { parameters: [{ name: "p", value: "ok" }] },
    });
    expect(node(w, "wf[0].a").children).toEqual([node(w, "wf[0].a(0)").id, node(w, "wf[0].a(1)").id]);
    expect(result.status.phase).toBe("Succeeded");
  });

  it("when every attempt fails, then limit N gives N+1 attempts and the Retry node takes the last one's phase", () => {
    const w = world(RETRY);
    step(w);
    for (const attempt of [0, 1, 2]) {
      fail(w, `wf[0].a(${attempt})`);
      step(w);
    }
    expect(nodeNames(w).filter((n) => n.startsWith("wf[0].a("))).toEqual([
      "wf[0].a(0)",
      "wf[0].a(1)",
      "wf[0].a(2)",
    ]);
    expect(node(w, "wf[0].a")).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
    expect(w.workflow.status?.phase).toBe("Failed");
  });

  it("when the default policy sees an Error, then it does not retry", () => {
    const w = world(RETRY);
    step(w);
    w.pods = [];
    step(w, 20_000);
    expect(node(w, "wf[0].a")).toMatchObject({ phase: "Error", message: "pod deleted" });
    expect(nodeNames(w)).not.toContain("wf[0].a(1)");
  });

  it("when retryPolicy is Always, then an Error is retried too", () => {
    const w = world(RETRY.replace("{limit: 2}", "{limit: 1, retryPolicy: Always}"));
    step(w);
    w.pods = [];
    const result = step(w, 20_000);
    expect(createdPods(result).map(nodeNameOf)).toEqual(["wf[0].a(1)"]);
  });

  it("when the limit comes from an input parameter, then it is substituted", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: n, value: "0"}]}
  templates:
  - name: main
    inputs: {parameters: [{name: n}]}
    retryStrategy: {limit: "{{inputs.parameters.n}}"}
    container: {image: alpine}
`);
    step(w);
    fail(w, "wf(0)");
    step(w);
    expect(node(w, "wf")).toMatchObject({ type: "Retry", phase: "Failed" });
  });
});

describe("reconcile: activeDeadlineSeconds", () => {
  it("when the workflow is running, then it asks to be requeued at its deadline", () => {
    const w = world(LONG.replace("entrypoint: main", "entrypoint: main\n  activeDeadlineSeconds: 30"));
    expect(step(w).requeueAfterMs).toBe(30_000);
    expect(step(w, 10_000).requeueAfterMs).toBe(20_000);
  });

  it("when the deadline passes, then running steps are killed, the workflow fails and the handler runs unbound", () => {
    const w = world(LONG.replace("entrypoint: main", "entrypoint: main\n  activeDeadlineSeconds: 30"));
    step(w);
    running(w, "wf[0].a");
    running(w, "wf[0].b");
    const result = step(w, 31_000);
    expect(deletes(w).length).toBe(2);
    expect(node(w, "wf[0].a")).toMatchObject({ phase: "Failed", message: "Step exceeded its deadline" });
    expect(createdPods(result).map(nodeNameOf)).toEqual(["wf.onExit"]);
    expect(result.requeueAfterMs).toBeUndefined();
    running(w, "wf.onExit");
    expect(deletes({ ...w, last: step(w, 60_000) })).toEqual([]);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Step exceeded its deadline" });
  });
});

describe("reconcile: finalizer and delete", () => {
  it("when a workflow starts, then the finalizer is added before any pod", () => {
    const w = world(LONG);
    expect(kinds(step(w).actions).slice(0, 2)).toEqual(["addFinalizer", "createPod"]);
    expect(w.workflow.metadata.finalizers).toEqual([FINALIZER]);
    expect(kinds(step(w).actions)).not.toContain("addFinalizer");
  });

  it("when a running workflow is deleted, then its steps stop, the handler runs once and the finalizer is removed after", () => {
    const w = world(LONG);
    step(w);
    running(w, "wf[0].a");
    running(w, "wf[0].b");
    step(w);
    w.workflow.metadata.deletionTimestamp = w.now.toISOString();
    const result = step(w);
    expect(deletes(w).length).toBe(2);
    expect(createdPods(result).map(nodeNameOf)).toEqual(["wf.onExit"]);
    expect(kinds(result.actions)).not.toContain("removeFinalizer");
    expect(kinds(step(w).actions)).not.toContain("createPod");
    succeed(w, "wf.onExit");
    const last = step(w);
    expect(last.status).toMatchObject({
      phase: "Failed",
      message: "Stopped because the workflow was deleted",
    });
    expect(kinds(last.actions)).toContain("removeFinalizer");
    expect(w.workflow.metadata.finalizers).toEqual([]);
  });

  it("when the user opted out, then no finalizer is added and a delete runs no handler", () => {
    const w = world(
      LONG.replace(
        "spec:",
        "metadata:\n  annotations: {onexit.dev/skip-exit-handler-on-delete: 'true'}\nspec:",
      ),
    );
    expect(kinds(step(w).actions)).not.toContain("addFinalizer");
    w.workflow.metadata.deletionTimestamp = w.now.toISOString();
    const result = step(w);
    expect(createdPods(result)).toEqual([]);
    expect(nodeNames(w)).not.toContain("wf.onExit");
  });

  it("when the opt-out annotation is added to a deleted workflow that has the finalizer, then it is removed at once", () => {
    const w = world(LONG);
    step(w);
    w.workflow.metadata.annotations = { "onexit.dev/skip-exit-handler-on-delete": "true" };
    w.workflow.metadata.deletionTimestamp = w.now.toISOString();
    expect(kinds(step(w).actions)).toContain("removeFinalizer");
  });

  it("when a finished workflow is deleted, then only the finalizer goes", () => {
    const w = world(LONG);
    step(w);
    succeed(w, "wf[0].a", "wf[0].b");
    step(w);
    succeed(w, "wf[1].c");
    step(w);
    w.workflow.metadata.finalizers = [FINALIZER];
    succeed(w, "wf.onExit");
    step(w);
    w.workflow.metadata.finalizers = [FINALIZER];
    w.workflow.metadata.deletionTimestamp = w.now.toISOString();
    expect(step(w).actions).toEqual([{ kind: "removeFinalizer" }]);
  });

  it("when the workflow completes, then events are emitted once each and the finalizer is removed", () => {
    const w = world(LONG);
    step(w);
    succeed(w, "wf[0].a", "wf[0].b");
    step(w);
    succeed(w, "wf[1].c");
    step(w);
    succeed(w, "wf.onExit");
    step(w);
    step(w);
    expect(events(w.actions)).toEqual([
      "WorkflowRunning",
      "ExitHandlerStarted",
      "ExitHandlerCompleted",
      "WorkflowSucceeded",
    ]);
    expect(w.workflow.metadata.finalizers).toEqual([]);
    expect(phases(w)["wf.onExit"]).toBe("Succeeded");
  });
});
