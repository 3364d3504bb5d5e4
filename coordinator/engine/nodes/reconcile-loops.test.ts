import { describe, expect, it } from "vitest";
import type { V1Pod } from "@kubernetes/client-node";
import { podName } from "../../../common/names.ts";
import {
  createdPods,
  exit,
  fail,
  node,
  nodeNames,
  phases,
  podOf,
  step,
  succeed,
  world,
} from "../testing/world.ts";

const nodeNameOf = (pod: V1Pod): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];
const argsOf = (pod: V1Pod | undefined): string[] | undefined => pod?.spec?.containers[0]?.args;

const TEMPLATES = `
  - name: echo
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine, args: ["{{inputs.parameters.msg}}"]}
  - name: gen
    container: {image: alpine}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
  - name: list
    script: {image: alpine, command: [sh], source: "echo '[1, 2]'"}
  - name: bye
    inputs: {parameters: [{name: failures, value: "{{workflow.failures}}"}]}
    container: {image: alpine, args: ["{{workflow.status}}", "{{inputs.parameters.failures}}"]}
`;

/** A steps workflow whose only step is `a` with the given loop (YAML flow mapping entries). */
const loopWorkflow = (loop: string, msg = "{{item}}"): string => `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, arguments: {parameters: [{name: msg, value: "${msg}"}]}, ${loop}}
${TEMPLATES}`;

describe("reconcile: loops in steps", () => {
  const expansions: { name: string; loop: string; msg?: string; nodes: string[]; args: string[] }[] = [
    {
      name: "withItems of strings",
      loop: "withItems: [hello, world]",
      nodes: ["wf[0].a(0:hello)", "wf[0].a(1:world)"],
      args: ["hello", "world"],
    },
    {
      name: "withItems of maps",
      loop: "withItems: [{image: debian, tag: '9.1'}, {image: alpine, tag: '3.6'}]",
      msg: "{{item.image}}:{{item.tag}}",
      nodes: ["wf[0].a(0:image:debian,tag:9.1)", "wf[0].a(1:image:alpine,tag:3.6)"],
      args: ["debian:9.1", "alpine:3.6"],
    },
    {
      name: "withItems of numbers and booleans",
      loop: "withItems: [1, 2.5, true]",
      nodes: ["wf[0].a(0:1)", "wf[0].a(1:2.5)", "wf[0].a(2:true)"],
      args: ["1", "2.5", "true"],
    },
    {
      name: "withParam of a literal list",
      loop: `withParam: '[{"k": "x"}, "y"]'`,
      msg: "{{item}}",
      nodes: ["wf[0].a(0:k:x)", "wf[0].a(1:y)"],
      args: ['{"k":"x"}', "y"],
    },
    {
      name: "withSequence count",
      loop: "withSequence: {count: '3'}",
      nodes: ["wf[0].a(0:0)", "wf[0].a(1:1)", "wf[0].a(2:2)"],
      args: ["0", "1", "2"],
    },
    {
      name: "withSequence start/end",
      loop: "withSequence: {start: '2', end: '3'}",
      nodes: ["wf[0].a(0:2)", "wf[0].a(1:3)"],
      args: ["2", "3"],
    },
    {
      name: "withSequence counting down",
      loop: "withSequence: {start: 3, end: 1}",
      nodes: ["wf[0].a(0:3)", "wf[0].a(1:2)", "wf[0].a(2:1)"],
      args: ["3", "2", "1"],
    },
    {
      name: "withSequence with a format",
      loop: "withSequence: {count: 2, format: 'part-%02d'}",
      nodes: ["wf[0].a(0:part-00)", "wf[0].a(1:part-01)"],
      args: ["part-00", "part-01"],
    },
  ];
  for (const c of expansions) {
    it(`when a step loops with ${c.name}, then one pod per item runs in parallel with its item`, () => {
      const w = world(loopWorkflow(c.loop, c.msg));
      const pods = createdPods(step(w));
      expect(pods.map(nodeNameOf)).toEqual(c.nodes);
      expect(pods.map((pod) => argsOf(pod)?.[0])).toEqual(c.args);
      succeed(w, ...c.nodes);
      expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.onExit"]);
      succeed(w, "wf.onExit");
      expect(step(w).status.phase).toBe("Succeeded");
    });
  }

  it("when a step loops, then its items hang from the step group, named as Argo names them", () => {
    const w = world(loopWorkflow("withItems: [x, y]"));
    step(w);
    const group = node(w, "wf[0]");
    const first = node(w, "wf[0].a(0:x)");
    expect(group.children).toEqual([first.id, node(w, "wf[0].a(1:y)").id]);
    expect(first).toMatchObject({
      type: "Pod",
      displayName: "a(0:x)",
      boundaryID: "wf",
      templateName: "echo",
    });
    expect(first.podName).toBe(podName("wf", "wf[0].a(0:x)", "echo"));
    expect(nodeNames(w)).not.toContain("wf[0].a");
  });

  it("when the list is empty, then the step is Skipped and the workflow goes on", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withParam: "[]"}
    - - {name: b, template: echo, arguments: {parameters: [{name: msg, value: "{{steps.a.status}}"}]}}
${TEMPLATES}`);
    const pods = createdPods(step(w));
    expect(node(w, "wf[0].a")).toMatchObject({
      type: "Skipped",
      phase: "Skipped",
      message: "Skipped, empty params",
    });
    expect(pods.map(nodeNameOf)).toEqual(["wf[1].b"]);
    expect(argsOf(pods[0])).toEqual(["Skipped"]);
  });

  it("when withParam comes from a previous step's result, then it loops over that list", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: list}
    - - {name: a, template: echo, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withParam: "{{steps.gen.outputs.result}}"}
${TEMPLATES}`);
    step(w);
    exit(w, "wf[0].gen", 0, { log: '["one", "two"]\n' });
    expect(createdPods(step(w)).map((pod) => argsOf(pod)?.[0])).toEqual(["one", "two"]);
  });

  it("when withParam comes from an output parameter and is not a list, then the group errors and the workflow fails with Argo's message", () => {
    const w = world(`
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - {name: a, template: echo, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withParam: "{{steps.gen.outputs.parameters.p}}"}
${TEMPLATES}`);
    step(w);
    exit(w, "wf[0].gen", 0, { outputs: { p: '{"not": "a list"}' } });
    const second = step(w);
    const message = 'withParam value could not be parsed as a JSON list: {"not": "a list"}: it is an object';
    expect(node(w, "wf[1]")).toMatchObject({ phase: "Error", message });
    expect(createdPods(second).map(nodeNameOf)).toEqual(["wf.onExit"]);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message });
  });

  it("when an item fails, then the others finish, the workflow fails, the handler runs and the failures list it", () => {
    const w = world(loopWorkflow("withItems: [x, y]"));
    step(w);
    fail(w, "wf[0].a(0:x)");
    expect(createdPods(step(w))).toEqual([]);
    succeed(w, "wf[0].a(1:y)");
    const handler = createdPods(step(w));
    expect(handler.map(nodeNameOf)).toEqual(["wf.onExit"]);
    const [status, failures] = argsOf(handler[0]) ?? [];
    expect(status).toBe("Failed");
    const failed = JSON.parse(failures ?? "[]") as { displayName: string; podName: string }[];
    expect(failed.map((f) => f.displayName)).toContain("a(0:x)");
    expect(failed.find((f) => f.displayName === "a(0:x)")?.podName).toBe(
      podOf(w, "wf[0].a(0:x)").metadata?.name,
    );
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
    expect(phases(w)).toMatchObject({ "wf[0]": "Failed", "wf[0].a(1:y)": "Succeeded" });
  });

  it("when a failing looped step has continueOn.failed, then the next group runs", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, arguments: {parameters: [{name: msg, value: "{{item}}"}]}, withItems: [x], continueOn: {failed: true}}
    - - {name: b, template: echo, arguments: {parameters: [{name: msg, value: next}]}}
${TEMPLATES}`);
    step(w);
    fail(w, "wf[0].a(0:x)");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[1].b"]);
  });

  it("when later steps read a loop's outputs, then they get Argo's aggregated JSON lists, in item order", () => {
    const v = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: gen, withItems: [x, y]}
    - - name: b
        template: echo
        arguments:
          parameters:
          - {name: msg, value: "{{steps.a.outputs.parameters.p}} {{steps.a.outputs.parameters}} {{steps.a.outputs.result}} {{steps.a.status}}"}
${TEMPLATES}`);
    step(v);
    exit(v, "wf[0].a(1:y)", 0, { outputs: { p: "2" }, log: "plain\n" });
    exit(v, "wf[0].a(0:x)", 0, { outputs: { p: "1" }, log: '{"n": 1}\n' });
    const pods = createdPods(step(v));
    expect(argsOf(pods[0])).toEqual(['["1","2"] [{"p":"1"},{"p":"2"}] [{"n":1},"plain"] Succeeded']);
  });

  it("when a looped step has an exit hook, then it runs once per item, with that item", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: echo
        arguments: {parameters: [{name: msg, value: "{{item}}"}]}
        withItems: [x, y]
        hooks:
          exit:
            template: echo
            arguments: {parameters: [{name: msg, value: "{{item}} {{steps.a.status}}"}]}
    - - {name: b, template: echo, arguments: {parameters: [{name: msg, value: next}]}}
${TEMPLATES}`);
    step(w);
    fail(w, "wf[0].a(0:x)");
    succeed(w, "wf[0].a(1:y)");
    const hooks = createdPods(step(w));
    expect(hooks.map(nodeNameOf)).toEqual(["wf[0].a(0:x).onExit", "wf[0].a(1:y).onExit"]);
    expect(hooks.map((pod) => argsOf(pod)?.[0])).toEqual(["x Failed", "y Succeeded"]);
    succeed(w, "wf[0].a(0:x).onExit", "wf[0].a(1:y).onExit");
    expect(step(w).status.phase).toBe("Failed");
  });

  it("when an item's when is false, then that item is Skipped and the others run", () => {
    const w = world(
      loopWorkflow("withItems: [run, skip], when: \"'{{item}}' == 'run'\"").replace("onExit: bye", ""),
    );
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].a(0:run)"]);
    expect(node(w, "wf[0].a(1:skip)")).toMatchObject({ type: "Skipped", phase: "Skipped" });
    succeed(w, "wf[0].a(0:run)");
    expect(step(w).status.phase).toBe("Succeeded");
  });
});

const DAG = `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: gen, withItems: [x, y]}
      - {name: B, template: echo, depends: "A", arguments: {parameters: [{name: msg, value: "{{tasks.A.outputs.parameters.p}}"}]}}
${TEMPLATES}`;

describe("reconcile: loops in a DAG", () => {
  it("when a task loops, then it is a TaskGroup with one child per item, and dependants get the aggregate", () => {
    const w = world(DAG);
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.A(0:x)", "wf.A(1:y)"]);
    const group = node(w, "wf.A");
    expect(group).toMatchObject({ type: "TaskGroup", phase: "Running", displayName: "A", boundaryID: "wf" });
    expect(group.children).toEqual([node(w, "wf.A(0:x)").id, node(w, "wf.A(1:y)").id]);
    expect(node(w, "wf").children).toEqual([group.id]);
    exit(w, "wf.A(0:x)", 0, { outputs: { p: "a" } });
    exit(w, "wf.A(1:y)", 0, { outputs: { p: "b" } });
    const pods = createdPods(step(w));
    expect(pods.map(nodeNameOf)).toEqual(["wf.B"]);
    expect(argsOf(pods[0])).toEqual(['["a","b"]']);
    expect(node(w, "wf.A").phase).toBe("Succeeded");
    expect(node(w, "wf.A(0:x)").children).toEqual([node(w, "wf.B").id]);
    expect(node(w, "wf.A(1:y)").children).toEqual([node(w, "wf.B").id]);
  });

  it("when an item fails, then the TaskGroup fails, its dependant is omitted, and the handler runs", () => {
    const w = world(DAG);
    step(w);
    exit(w, "wf.A(0:x)", 1, { outputs: { p: "a" } });
    exit(w, "wf.A(1:y)", 0, { outputs: { p: "b" } });
    const pods = createdPods(step(w));
    expect(phases(w)).toMatchObject({ wf: "Failed", "wf.A": "Failed", "wf.B": "Omitted" });
    expect(pods.map(nodeNameOf)).toEqual(["wf.onExit"]);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
  });

  it("when a dependant depends on A.AnySucceeded, then one succeeded item is enough", () => {
    const w = world(DAG.replace('depends: "A"', 'depends: "A.AnySucceeded"'));
    step(w);
    exit(w, "wf.A(0:x)", 1, { outputs: { p: "a" } });
    exit(w, "wf.A(1:y)", 0, { outputs: { p: "b" } });
    const pods = createdPods(step(w));
    expect(pods.map(nodeNameOf)).toEqual(["wf.B"]);
    expect(argsOf(pods[0])).toEqual(['["b"]']);
  });

  it("when a task's list is empty, then it is Skipped and its dependants run", () => {
    const w = world(
      DAG.replace("withItems: [x, y]", "withParam: '[]'").replace("{{tasks.A.outputs.parameters.p}}", "none"),
    );
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.B"]);
    expect(node(w, "wf.A")).toMatchObject({
      type: "Skipped",
      phase: "Skipped",
      message: "Skipped, empty params",
    });
  });

  it("when a task's withParam is not JSON, then the task errors and the DAG fails", () => {
    const w = world(
      DAG.replace("withItems: [x, y]", "withParam: 'x, y'").replace(
        "{{tasks.A.outputs.parameters.p}}",
        "none",
      ),
    );
    step(w);
    expect(node(w, "wf.A")).toMatchObject({ phase: "Error" });
    expect(node(w, "wf.A").message).toMatch(/^withParam value could not be parsed as a JSON list: x, y: /);
    expect(phases(w)).toMatchObject({ wf: "Error", "wf.B": "Omitted" });
  });

  it("when a looped task has an exit hook, then it runs per item and the group waits for them", () => {
    const w = world(
      DAG.replace(
        "{name: A, template: gen, withItems: [x, y]}",
        "{name: A, template: gen, withItems: [x, y], onExit: bye}",
      ),
    );
    step(w);
    exit(w, "wf.A(0:x)", 0, { outputs: { p: "a" } });
    exit(w, "wf.A(1:y)", 0, { outputs: { p: "b" } });
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.A(0:x).onExit", "wf.A(1:y).onExit"]);
    expect(node(w, "wf.A").phase).toBe("Running");
    succeed(w, "wf.A(0:x).onExit", "wf.A(1:y).onExit");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf.B"]);
  });
});

describe("reconcile: invalid loops", () => {
  const invalid: { name: string; loop: string; msg?: string; message: string }[] = [
    {
      name: "two loops on one step",
      loop: "withItems: [a], withParam: '[1]'",
      message:
        "templates.main.steps[0][0].withParam: only one of withItems, withParam, withSequence can be specified",
    },
    {
      name: "a sequence with both count and end",
      loop: "withSequence: {count: 2, end: 3}",
      message:
        "templates.main.steps[0][0].withSequence: only one of count or end can be defined in withSequence",
    },
    {
      name: "a key no item has",
      loop: "withItems: [{a: 1}]",
      msg: "{{item.b}}",
      message: "templates.main.steps[0][0].arguments: failed to resolve {{item.b}}",
    },
    {
      name: "an item key outside a loop",
      loop: "when: 'true'",
      msg: "{{item.b}}",
      message: "templates.main.steps[0][0].arguments: failed to resolve {{item.b}}",
    },
    {
      name: "a withParam naming an unknown step",
      loop: "withParam: '{{steps.nope.outputs.result}}'",
      message: "templates.main.steps[0][0].withParam: failed to resolve {{steps.nope.outputs.result}}",
    },
  ];
  for (const c of invalid) {
    it(`when a step has ${c.name}, then the workflow errors naming it and no pod is created`, () => {
      const result = step(world(loopWorkflow(c.loop, c.msg)));
      expect(result.status).toMatchObject({ phase: "Error", message: `invalid spec: ${c.message}` });
      expect(createdPods(result)).toEqual([]);
    });
  }

  it("when withParam's items are maps, then any {{item.<key>}} passes validation (they are known only at run time)", () => {
    const result = step(world(loopWorkflow(`withParam: '[{"b": 1}]'`, "{{item.b}}")));
    expect(result.status.phase).toBe("Running");
    expect(argsOf(createdPods(result)[0])).toEqual(["1"]);
  });
});
