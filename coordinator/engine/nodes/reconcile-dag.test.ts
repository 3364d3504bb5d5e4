import { describe, expect, it } from "vitest";
import { createdPods, fail, node, nodeNames, phases, step, succeed, world } from "../testing/world.ts";

const nodeNameOf = (pod: { metadata?: { annotations?: Record<string, string> } }): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];

const DIAMOND = `
spec:
  entrypoint: diamond
  onExit: bye
  templates:
  - name: diamond
    dag:
      tasks:
      - {name: A, template: echo}
      - name: B
        template: echo
        dependencies: [A]
        hooks:
          exit:
            template: echo-msg
            arguments: {parameters: [{name: msg, value: "B {{tasks.B.status}}"}]}
      - {name: C, template: echo, dependencies: [A]}
      - {name: D, template: echo, dependencies: [B, C]}
  - {name: echo, container: {image: alpine}}
  - name: echo-msg
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine, args: ["{{inputs.parameters.msg}}"]}
  - name: bye
    container: {image: alpine, args: ["{{workflow.status}}"]}
`;

describe("reconcile: dag", () => {
  it("when the diamond's B fails, then its hook runs, D is omitted, the DAG fails and the handler runs", () => {
    const w = world(DIAMOND);
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.A"]);
    succeed(w, "wf.A");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.B", "wf.C"]);
    fail(w, "wf.B");
    const third = step(w);
    expect(createdPods(third).map(nodeNameOf)).toEqual(["wf.B.onExit"]);
    expect(createdPods(third)[0]?.spec?.containers[0]?.args).toEqual(["B Failed"]);
    succeed(w, "wf.C");
    expect(createdPods(step(w))).toEqual([]);
    succeed(w, "wf.B.onExit");
    const fifth = step(w);
    expect(phases(w)).toMatchObject({
      wf: "Failed",
      "wf.A": "Succeeded",
      "wf.B": "Failed",
      "wf.C": "Succeeded",
      "wf.D": "Omitted",
    });
    expect(node(w, "wf.D")).toMatchObject({ type: "Skipped", message: "omitted: depends condition not met" });
    expect(createdPods(fifth).map(nodeNameOf)).toEqual(["wf.onExit"]);
    expect(createdPods(fifth)[0]?.spec?.containers[0]?.args).toEqual(["Failed"]);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
  });

  it("when tasks run, then the tree hangs each task under its dependencies", () => {
    const w = world(DIAMOND);
    step(w);
    succeed(w, "wf.A");
    step(w);
    succeed(w, "wf.B", "wf.C");
    step(w);
    const dag = node(w, "wf");
    expect(dag).toMatchObject({ type: "DAG", displayName: "wf" });
    expect(dag.children).toEqual([node(w, "wf.A").id]);
    expect(node(w, "wf.A").children).toEqual([node(w, "wf.B").id, node(w, "wf.C").id]);
    expect(node(w, "wf.B").children).toEqual([node(w, "wf.B.onExit").id]);
    succeed(w, "wf.B.onExit");
    step(w);
    expect(node(w, "wf.B").children).toEqual([node(w, "wf.B.onExit").id, node(w, "wf.D").id]);
    expect(node(w, "wf.C").children).toEqual([node(w, "wf.D").id]);
    expect(node(w, "wf.D")).toMatchObject({ boundaryID: "wf", displayName: "D" });
  });

  it("when a dependency's exit hook is still running, then dependants wait for it", () => {
    const w = world(DIAMOND);
    step(w);
    succeed(w, "wf.A");
    step(w);
    succeed(w, "wf.B", "wf.C");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.B.onExit"]);
    succeed(w, "wf.B.onExit");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.D"]);
  });

  it("when depends names a failure branch and it is the only leaf, then it runs on failure and the DAG succeeds", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo}
      - {name: onfail, template: echo, depends: "A.Failed"}
  - {name: echo, container: {image: alpine}}
`);
    step(w);
    fail(w, "wf.A");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onfail"]);
    succeed(w, "wf.onfail");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("when a leaf is omitted below a failed task, then it inherits the failure and the DAG fails (Argo's branch rule)", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo}
      - {name: onfail, template: echo, depends: "A.Failed"}
      - {name: onok, template: echo, depends: "A.Succeeded"}
  - {name: echo, container: {image: alpine}}
`);
    step(w);
    fail(w, "wf.A");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onfail"]);
    expect(node(w, "wf.onok").phase).toBe("Omitted");
    succeed(w, "wf.onfail");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
  });

  it("when tasks have no dependencies, then they start together", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag: {tasks: [{name: x, template: echo}, {name: y, template: echo}]}
  - {name: echo, container: {image: alpine}}
`);
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.x", "wf.y"]);
  });

  it("when a target is set, then only it and its dependencies run", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      target: B
      tasks:
      - {name: A, template: echo}
      - {name: B, template: echo, dependencies: [A]}
      - {name: C, template: echo}
  - {name: echo, container: {image: alpine}}
`);
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.A"]);
    succeed(w, "wf.A");
    step(w);
    succeed(w, "wf.B");
    expect(step(w).status.phase).toBe("Succeeded");
    expect(nodeNames(w)).not.toContain("wf.C");
  });

  it("when the target and depends use variables, then they are substituted before the DAG is planned", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: target, value: "C E"}]}
  templates:
  - name: main
    steps: [[{name: run, template: dag, arguments: {parameters: [{name: first, value: A}]}}]]
  - name: dag
    inputs: {parameters: [{name: first}]}
    dag:
      target: "{{workflow.parameters.target}}"
      tasks:
      - {name: A, template: echo}
      - {name: B, template: echo, depends: "{{inputs.parameters.first}}"}
      - {name: C, template: echo, depends: "{{inputs.parameters.first}}"}
      - {name: D, template: echo, dependencies: ["{{inputs.parameters.first}}", B]}
      - {name: E, template: echo, depends: "C && {{inputs.parameters.first}}.Succeeded"}
  - {name: echo, container: {image: alpine}}
`);
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].run.A"]);
    succeed(w, "wf[0].run.A");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].run.C"]);
    succeed(w, "wf[0].run.C");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].run.E"]);
    succeed(w, "wf[0].run.E");
    expect(step(w).status.phase).toBe("Succeeded");
    expect(nodeNames(w)).not.toContain("wf[0].run.B");
    expect(nodeNames(w)).not.toContain("wf[0].run.D");
  });

  it("when the target names no task once substituted, then the DAG errors naming it", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: target, value: Z}]}
  templates:
  - name: main
    dag:
      target: "{{workflow.parameters.target}}"
      tasks: [{name: A, template: echo}]
  - {name: echo, container: {image: alpine}}
`);
    expect(step(w).status).toMatchObject({ phase: "Error", message: 'dag.target "Z" is not a task' });
  });

  it("when a dependency with continueOn.failed fails, then its dependants still run", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo, continueOn: {failed: true}}
      - {name: B, template: echo, dependencies: [A]}
  - {name: echo, container: {image: alpine}}
`);
    step(w);
    fail(w, "wf.A");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.B"]);
    succeed(w, "wf.B");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("when a task uses another task's outputs, then they are substituted", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: gen}
      - {name: B, template: use, depends: A, arguments: {parameters: [{name: v, value: "{{tasks.A.outputs.result}}"}]}}
  - {name: gen, container: {image: alpine}}
  - name: use
    inputs: {parameters: [{name: v}]}
    container: {image: alpine, args: ["{{inputs.parameters.v}}"]}
`);
    step(w);
    const pod = w.pods[0];
    if (pod?.metadata) {
      pod.metadata.annotations = {
        ...pod.metadata.annotations,
        "onexit.dev/report": JSON.stringify({
          podName: pod.metadata.name,
          podUid: "u",
          namespace: "default",
          exitCode: 0,
          reason: "Completed",
          startedAt: "2026-03-01T10:00:00Z",
          finishedAt: "2026-03-01T10:00:01Z",
          logBytes: 6,
          logLines: 1,
          logTail: "hello\n",
          outputs: [],
        }),
      };
    }
    expect(createdPods(step(w))[0]?.spec?.containers[0]?.args).toEqual(["hello"]);
  });

  it("when the handler is a DAG, then it runs as the exit handler", () => {
    const w = world(`
spec:
  entrypoint: main
  onExit: cleanup
  templates:
  - {name: main, container: {image: alpine}}
  - name: cleanup
    dag: {tasks: [{name: one, template: echo}, {name: two, template: echo, dependencies: [one]}]}
  - {name: echo, container: {image: alpine}}
`);
    step(w);
    succeed(w, "wf");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit.one"]);
    succeed(w, "wf.onExit.one");
    step(w);
    succeed(w, "wf.onExit.two");
    expect(step(w).status.phase).toBe("Succeeded");
    expect(node(w, "wf.onExit")).toMatchObject({ type: "DAG", boundaryID: "" });
  });
});
