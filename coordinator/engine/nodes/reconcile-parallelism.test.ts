import { describe, expect, it } from "vitest";
import type { V1Pod } from "@kubernetes/client-node";
import type { World } from "../testing/world.ts";
import { createdPods, fail, node, nodeNames, phases, step, succeed, world } from "../testing/world.ts";

const nodeNameOf = (pod: V1Pod): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];
const started = (w: World): (string | undefined)[] => createdPods(step(w)).map(nodeNameOf);

const TEMPLATES = `
  - name: echo
    inputs: {parameters: [{name: msg, value: x}]}
    container: {image: alpine, args: ["{{inputs.parameters.msg}}"]}
  - name: flaky
    retryStrategy: {limit: 1}
    container: {image: alpine}
  - name: bye
    container: {image: alpine, args: ["{{workflow.status}}"]}
`;

/** A steps workflow: a loop of a, b, c, d over `echo` with the given template parallelism. */
const stepsLoop = (parallelism: string, template = "echo"): string => `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    ${parallelism}
    steps:
    - - {name: s, template: ${template}, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withItems: [a, b, c, d]}
${TEMPLATES}`;

const ITEMS = ["wf[0].s(0:a)", "wf[0].s(1:b)", "wf[0].s(2:c)", "wf[0].s(3:d)"];

describe("reconcile: template parallelism in steps", () => {
  it("a loop of 4 with parallelism 2 runs 2 pods, then the next items in item order as those finish", () => {
    const w = world(stepsLoop("parallelism: 2"));
    expect(started(w)).toEqual(ITEMS.slice(0, 2));
    // Items not started have no node yet, as in Argo.
    expect(nodeNames(w)).not.toContain(ITEMS[2]);
    // Nothing changed: no new pod, whichever pass looks.
    expect(started(w)).toEqual([]);
    succeed(w, ITEMS[1] as string);
    expect(started(w)).toEqual([ITEMS[2]]);
    succeed(w, ITEMS[0] as string, ITEMS[2] as string);
    expect(started(w)).toEqual([ITEMS[3]]);
    succeed(w, ITEMS[3] as string);
    expect(started(w)).toEqual(["wf.onExit"]);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
    expect(node(w, "wf[0]").children?.length).toBe(4);
  });

  const noLimits: { name: string; parallelism: string }[] = [
    { name: "no parallelism", parallelism: "" },
    { name: "parallelism 0 (Argo: no limit)", parallelism: "parallelism: 0" },
    { name: "parallelism larger than the loop", parallelism: "parallelism: 10" },
  ];
  for (const { name, parallelism } of noLimits) {
    it(`${name}: every item starts at once`, () => {
      expect(started(world(stepsLoop(parallelism)))).toEqual(ITEMS);
    });
  }

  it("counts the steps node's children across step groups, retry attempts included", () => {
    const w = world(stepsLoop("parallelism: 1", "flaky"));
    expect(started(w)).toEqual(["wf[0].s(0:a)(0)"]);
    fail(w, "wf[0].s(0:a)(0)");
    // The retry's attempt is an active child of the steps node: the next item still waits.
    expect(started(w)).toEqual(["wf[0].s(0:a)(1)"]);
    succeed(w, "wf[0].s(0:a)(1)");
    expect(started(w)).toEqual(["wf[0].s(1:b)(0)"]);
    expect(phases(w)).toMatchObject({ "wf[0].s(0:a)": "Succeeded", "wf[0].s(1:b)": "Running" });
  });

  it("a reconcile from the status alone decides the same (restart safety)", () => {
    const w = world(stepsLoop("parallelism: 2"));
    step(w);
    const again = structuredClone(w);
    expect(started(again)).toEqual([]);
    succeed(w, ITEMS[0] as string);
    const fresh = structuredClone(w);
    expect(started(w)).toEqual([ITEMS[2]]);
    expect(started(fresh)).toEqual([ITEMS[2]]);
  });

  for (const strategy of ["Stop", "Terminate"] as const) {
    // Terminate skips the exit handler, as in Argo; Stop runs it.
    const handler = strategy === "Stop" ? ["wf.onExit"] : [];
    it(`${strategy}: items not started never get a pod, the workflow fails (handler: ${handler.length})`, () => {
      const w = world(stepsLoop("parallelism: 1"));
      expect(started(w)).toEqual([ITEMS[0]]);
      w.workflow.spec.shutdown = strategy;
      if (strategy === "Stop") succeed(w, ITEMS[0] as string);
      const pods = started(w);
      expect(pods.filter((name) => ITEMS.includes(name ?? ""))).toEqual([]);
      step(w);
      expect(node(w, "wf").phase).toBe("Failed");
      const allCreated = w.actions.flatMap((a) => (a.kind === "createPod" ? [nodeNameOf(a.pod)] : []));
      expect(allCreated).toEqual([ITEMS[0], ...handler]);
    });
  }
});

const dag = (parallelism: string, tasks: string): string => `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    ${parallelism}
    dag:
      tasks:
${tasks}
${TEMPLATES}`;

describe("reconcile: template parallelism in a DAG", () => {
  it("parallelism 1 over independent tasks runs them one by one, in task order", () => {
    const tasks = ["A", "B", "C"].map((t) => `      - {name: ${t}, template: echo}`).join("\n");
    const w = world(dag("parallelism: 1", tasks));
    expect(started(w)).toEqual(["wf.A"]);
    expect(nodeNames(w)).not.toContain("wf.B");
    succeed(w, "wf.A");
    expect(started(w)).toEqual(["wf.B"]);
    fail(w, "wf.B");
    // failFast: the failure stops C, which never started.
    expect(started(w)).toEqual(["wf.onExit"]);
    expect(nodeNames(w)).not.toContain("wf.C");
    expect(node(w, "wf").phase).toBe("Failed");
  });

  it("a looped task's items count against the DAG's parallelism, with its other tasks", () => {
    const tasks = `      - {name: L, template: echo, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withItems: [a, b, c]}
      - {name: Z, template: echo}`;
    const w = world(dag("parallelism: 2", tasks));
    expect(started(w)).toEqual(["wf.L(0:a)", "wf.L(1:b)"]);
    expect(node(w, "wf.L")).toMatchObject({ type: "TaskGroup", phase: "Running" });
    succeed(w, "wf.L(0:a)");
    expect(started(w)).toEqual(["wf.L(2:c)"]);
    succeed(w, "wf.L(1:b)");
    expect(started(w)).toEqual(["wf.Z"]);
    succeed(w, "wf.L(2:c)", "wf.Z");
    expect(started(w)).toEqual(["wf.onExit"]);
    expect(node(w, "wf").phase).toBe("Succeeded");
    expect(node(w, "wf.L").children?.length).toBe(3);
  });
});

describe("reconcile: workflow spec.parallelism", () => {
  const twoLoops = `
spec:
  entrypoint: main
  onExit: bye
  parallelism: 2
  templates:
  - name: main
    steps:
    - - {name: x, template: loop}
      - {name: y, template: loop}
  - name: loop
    steps:
    - - {name: s, template: echo, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withItems: [a, b]}
${TEMPLATES}`;

  it("at most 2 pods of the whole workflow run, across two parallel nested loops; the handler still runs", () => {
    const w = world(twoLoops);
    expect(started(w)).toEqual(["wf[0].x[0].s(0:a)", "wf[0].x[0].s(1:b)"]);
    expect(started(w)).toEqual([]);
    succeed(w, "wf[0].x[0].s(0:a)");
    expect(started(w)).toEqual(["wf[0].y[0].s(0:a)"]);
    succeed(w, "wf[0].x[0].s(1:b)", "wf[0].y[0].s(0:a)");
    expect(started(w)).toEqual(["wf[0].y[0].s(1:b)"]);
    succeed(w, "wf[0].y[0].s(1:b)");
    expect(started(w)).toEqual(["wf.onExit"]);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("a fresh reconcile from the status alone decides the same (restart safety)", () => {
    const w = world(twoLoops);
    step(w);
    succeed(w, "wf[0].x[0].s(1:b)");
    const fresh = structuredClone(w);
    expect(started(w)).toEqual(["wf[0].y[0].s(0:a)"]);
    expect(started(fresh)).toEqual(["wf[0].y[0].s(0:a)"]);
  });
});
