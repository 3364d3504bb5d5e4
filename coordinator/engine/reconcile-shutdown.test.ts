import { describe, expect, it } from "vitest";
import { createdPods, fail, node, nodeNames, running, step, succeed, world } from "./testing/world.ts";
import type { World } from "./testing/world.ts";

const nodeNameOf = (pod: { metadata?: { annotations?: Record<string, string> } }): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];

const deletes = (w: World): string[] =>
  (w.last?.actions ?? []).flatMap((a) => (a.kind === "deletePod" ? [a.name] : []));

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

const HOOKED = LONG.replace("{name: a, template: sleep}", "{name: a, template: sleep, onExit: sleep}");

describe("reconcile: shutdown", () => {
  it("when spec.shutdown is Stop, then running pods are deleted, nodes fail and the exit handler still runs", () => {
    const w = world(LONG);
    step(w);
    running(w, "wf[0].a");
    succeed(w, "wf[0].b");
    step(w);
    w.workflow.spec.shutdown = "Stop";
    const result = step(w);
    expect(deletes(w)).toEqual([node(w, "wf[0].a").podName]);
    expect(node(w, "wf[0].a")).toMatchObject({
      phase: "Failed",
      message: "workflow shutdown with strategy: Stop",
    });
    expect(node(w, "wf[0].b").phase).toBe("Succeeded");
    expect(nodeNames(w)).not.toContain("wf[1]");
    expect(createdPods(result).map(nodeNameOf)).toEqual(["wf.onExit"]);
    expect(createdPods(result)[0]?.spec?.containers[0]?.args).toEqual(["Failed"]);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Stopped with strategy 'Stop'" });
  });

  it("when spec.shutdown is Terminate, then running pods are deleted and no exit handler runs", () => {
    const w = world(LONG);
    step(w);
    running(w, "wf[0].a");
    step(w);
    w.workflow.spec.shutdown = "Terminate";
    const result = step(w);
    expect(deletes(w).sort()).toEqual([node(w, "wf[0].a").podName, node(w, "wf[0].b").podName].sort());
    expect(createdPods(result)).toEqual([]);
    expect(nodeNames(w)).not.toContain("wf.onExit");
    expect(result.status).toMatchObject({ phase: "Failed", message: "Stopped with strategy 'Terminate'" });
  });

  it("when Terminate arrives while the exit handler runs, then the handler's pod is deleted too", () => {
    const w = world(LONG);
    step(w);
    succeed(w, "wf[0].a", "wf[0].b");
    step(w);
    fail(w, "wf[1].c");
    step(w);
    running(w, "wf.onExit");
    w.workflow.spec.shutdown = "Terminate";
    const result = step(w);
    expect(deletes(w)).toEqual([node(w, "wf.onExit").podName]);
    expect(result.status.phase).toBe("Failed");
  });

  it("when Stop arrives while the exit handler runs, then the handler keeps running", () => {
    const w = world(LONG);
    step(w);
    succeed(w, "wf[0].a", "wf[0].b");
    step(w);
    succeed(w, "wf[1].c");
    step(w);
    running(w, "wf.onExit");
    w.workflow.spec.shutdown = "Stop";
    step(w);
    expect(deletes(w)).toEqual([]);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
  });
});

describe("reconcile: shutdown and step-level hooks", () => {
  it("when Stop kills a step with an exit hook, then the hook still runs before the workflow handler", () => {
    const w = world(HOOKED);
    step(w);
    running(w, "wf[0].a");
    running(w, "wf[0].b");
    step(w);
    w.workflow.spec.shutdown = "Stop";
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].a.onExit"]);
    succeed(w, "wf[0].a.onExit");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
  });

  it("when Terminate kills a step with an exit hook, then no hook runs at all", () => {
    const w = world(HOOKED);
    step(w);
    running(w, "wf[0].a");
    step(w);
    w.workflow.spec.shutdown = "Terminate";
    const result = step(w);
    expect(createdPods(result)).toEqual([]);
    expect(nodeNames(w).filter((n) => n.endsWith(".onExit"))).toEqual([]);
    expect(result.status).toMatchObject({ phase: "Failed", message: "Stopped with strategy 'Terminate'" });
  });
});
