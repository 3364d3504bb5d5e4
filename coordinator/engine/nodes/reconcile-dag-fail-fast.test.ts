import { describe, expect, it } from "vitest";
import type { V1Pod } from "@kubernetes/client-node";
import { createdPods, fail, node, nodeNames, phases, step, succeed, world } from "../testing/world.ts";

const nodeNameOf = (pod: V1Pod): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];

/** A DAG with a failing branch A and a longer branch B → B2, in the given task order. */
const twoBranches = (options: { failFast?: string; a?: string; order?: "A first" | "B first" }): string => {
  const a = `- {name: A, template: echo${options.a ?? ""}}`;
  const b = `- {name: B, template: echo}
      - {name: B2, template: echo, depends: B}`;
  const tasks = options.order === "B first" ? `${b}\n      ${a}` : `${a}\n      ${b}`;
  return `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    dag:
      ${options.failFast ?? ""}
      tasks:
      ${tasks}
  - {name: echo, container: {image: alpine}}
  - name: bye
    container: {image: alpine, args: ["{{workflow.status}}"]}
`;
};

describe("reconcile: DAG failFast", () => {
  for (const order of ["A first", "B first"] as const) {
    it(`when A fails while B runs (${order}), then B finishes, B2 never starts, the DAG fails and the handler runs`, () => {
      const w = world(twoBranches({ order }));
      expect(createdPods(step(w)).map(nodeNameOf).sort()).toEqual(["wf.A", "wf.B"]);
      fail(w, "wf.A");
      expect(createdPods(step(w))).toEqual([]);
      expect(phases(w)).toMatchObject({ wf: "Running", "wf.A": "Failed", "wf.B": "Pending" });
      succeed(w, "wf.B");
      expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
      expect(nodeNames(w)).not.toContain("wf.B2");
      expect(node(w, "wf")).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
      succeed(w, "wf.onExit");
      expect(step(w).status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
    });

    it(`when A fails in the same pass as B succeeds (${order}), then B2 does not start`, () => {
      const w = world(twoBranches({ order }));
      step(w);
      fail(w, "wf.A");
      succeed(w, "wf.B");
      expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
      expect(nodeNames(w)).not.toContain("wf.B2");
      expect(phases(w)).toMatchObject({ wf: "Failed", "wf.A": "Failed", "wf.B": "Succeeded" });
    });
  }

  const cases: { name: string; failFast?: string; a?: string; extra?: string; phase: string }[] = [
    { name: "failFast: false", failFast: "failFast: false", phase: "Failed" },
    { name: "A has continueOn.failed", a: ", continueOn: {failed: true}", phase: "Succeeded" },
  ];
  for (const c of cases) {
    it(`when ${c.name} and A fails, then B2 still runs and the DAG ends ${c.phase}`, () => {
      const w = world(twoBranches(c));
      step(w);
      fail(w, "wf.A");
      succeed(w, "wf.B");
      expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.B2"]);
      succeed(w, "wf.B2");
      expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
      expect(node(w, "wf").phase).toBe(c.phase);
    });
  }

  it("when a task's depends names A.Failed, then A's failure is handled: it and other branches run", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo}
      - {name: onfail, template: echo, depends: A.Failed}
      - {name: B, template: echo}
      - {name: B2, template: echo, depends: B}
  - {name: echo, container: {image: alpine}}
`);
    step(w);
    fail(w, "wf.A");
    succeed(w, "wf.B");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onfail", "wf.B2"]);
    succeed(w, "wf.onfail", "wf.B2");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("when A fails and has an exit hook, then the hook runs before the DAG fails, and nothing new starts", () => {
    const w = world(
      twoBranches({ a: ", hooks: {exit: {template: echo}}" }).replace(
        "- {name: B2, template: echo, depends: B}",
        "- {name: B2, template: echo, depends: B}\n      - {name: C, template: echo, depends: A}",
      ),
    );
    step(w);
    fail(w, "wf.A");
    succeed(w, "wf.B");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.A.onExit"]);
    expect(node(w, "wf").phase).toBe("Running");
    succeed(w, "wf.A.onExit");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
    expect(phases(w)).toMatchObject({ wf: "Failed", "wf.C": "Omitted" });
    expect(nodeNames(w)).not.toContain("wf.B2");
  });

  it("when a nested DAG fails fast, then the outer DAG stops too and the handler runs once", () => {
    const w = world(`
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    dag:
      tasks:
      - {name: inner, template: inner}
      - {name: after, template: echo, depends: inner}
  - name: inner
    dag:
      tasks:
      - {name: x, template: echo}
      - {name: y, template: echo}
      - {name: y2, template: echo, depends: y}
  - {name: echo, container: {image: alpine}}
  - {name: bye, container: {image: alpine}}
`);
    step(w);
    fail(w, "wf.inner.x");
    succeed(w, "wf.inner.y");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
    expect(phases(w)).toMatchObject({ wf: "Failed", "wf.inner": "Failed", "wf.after": "Omitted" });
    expect(nodeNames(w)).not.toContain("wf.inner.y2");
  });
});
