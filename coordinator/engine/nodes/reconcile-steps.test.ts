import { describe, expect, it } from "vitest";
import { nodeId } from "../../../common/names.ts";
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

const TWO_GROUPS = `
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: echo}
      - {name: b, template: echo}
    - - {name: c, template: echo}
  - name: echo
    container: {image: alpine}
`;

const nodeNameOf = (pod: { metadata?: { annotations?: Record<string, string> } }): string | undefined =>
  pod.metadata?.annotations?.["workflows.argoproj.io/node-name"];

describe("reconcile: steps", () => {
  it("when a group is running, then the next group waits; when it is done, the next group starts", () => {
    const w = world(TWO_GROUPS);
    const first = step(w);
    expect(createdPods(first).map(nodeNameOf)).toEqual(["wf[0].a", "wf[0].b"]);
    succeed(w, "wf[0].a");
    expect(createdPods(step(w))).toEqual([]);
    succeed(w, "wf[0].b");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[1].c"]);
    succeed(w, "wf[1].c");
    expect(step(w).status).toMatchObject({ phase: "Succeeded", progress: "3/3" });
  });

  it("when nodes are created, then their tree is shaped as Argo's", () => {
    const w = world(TWO_GROUPS);
    step(w);
    succeed(w, "wf[0].a", "wf[0].b");
    step(w);
    const root = node(w, "wf");
    const group0 = node(w, "wf[0]");
    const a = node(w, "wf[0].a");
    expect(root).toMatchObject({
      id: "wf",
      type: "Steps",
      templateName: "main",
      displayName: "wf",
      boundaryID: "",
    });
    expect(root.children).toEqual([group0.id]);
    expect(group0).toMatchObject({ type: "StepGroup", displayName: "[0]", boundaryID: "wf" });
    expect(group0.children).toEqual([a.id, node(w, "wf[0].b").id]);
    expect(a).toMatchObject({
      id: nodeId("wf", "wf[0].a"),
      type: "Pod",
      displayName: "a",
      boundaryID: "wf",
      templateName: "echo",
    });
    expect(a.children).toEqual([node(w, "wf[1]").id]);
    expect(a.podName).toBe(podOf(w, "wf[0].a").metadata?.name);
    expect(a.podName).toMatch(/^wf-echo-\d+$/);
  });

  it("when a step fails, then the group and the workflow fail with its message and later groups never start", () => {
    const w = world(TWO_GROUPS);
    step(w);
    fail(w, "wf[0].a");
    succeed(w, "wf[0].b");
    const result = step(w);
    expect(result.status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
    expect(phases(w)).toMatchObject({
      wf: "Failed",
      "wf[0]": "Failed",
      "wf[0].a": "Failed",
      "wf[0].b": "Succeeded",
    });
    expect(nodeNames(w)).not.toContain("wf[1]");
  });

  it("when a failing step has continueOn.failed, then the next group runs and the workflow succeeds", () => {
    const w = world(
      TWO_GROUPS.replace(
        "{name: a, template: echo}",
        "{name: a, template: echo, continueOn: {failed: true}}",
      ),
    );
    step(w);
    fail(w, "wf[0].a");
    succeed(w, "wf[0].b");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[1].c"]);
    succeed(w, "wf[1].c");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("when continueOn.failed is set but the step errors, then the group still fails", () => {
    const w = world(
      TWO_GROUPS.replace(
        "{name: a, template: echo}",
        "{name: a, template: echo, continueOn: {failed: true}}",
      ),
    );
    step(w);
    w.pods = w.pods.filter((p) => nodeNameOf(p) !== "wf[0].a");
    succeed(w, "wf[0].b");
    step(w, 20_000);
    expect(node(w, "wf[0].a")).toMatchObject({ phase: "Error", message: "pod deleted" });
    expect(w.workflow.status?.phase).toBe("Failed");
  });

  it("when a step's when is false, then it is Skipped and the workflow still succeeds", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: go, value: "no"}]}
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, when: "{{workflow.parameters.go}} == yes"}
  - {name: echo, container: {image: alpine}}
`);
    const result = step(w);
    expect(createdPods(result)).toEqual([]);
    expect(node(w, "wf[0].a")).toMatchObject({
      type: "Skipped",
      phase: "Skipped",
      message: "when 'no == yes' evaluated false",
    });
    expect(result.status.phase).toBe("Succeeded");
  });

  it("when a step has a hooks.exit, then it runs after the step with the step's outputs and gates the next group", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: a
        template: gen
        hooks:
          exit:
            template: report
            arguments: {parameters: [{name: msg, value: "{{steps.a.status}} {{steps.a.outputs.parameters.p}} {{steps.a.exitCode}}"}]}
    - - {name: b, template: report, arguments: {parameters: [{name: msg, value: next}]}}
  - name: gen
    container: {image: alpine}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
  - name: report
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine, args: ["{{inputs.parameters.msg}}"]}
`);
    step(w);
    exit(w, "wf[0].a", 3, { outputs: { p: "v" } });
    const second = step(w);
    expect(createdPods(second).map(nodeNameOf)).toEqual(["wf[0].a.onExit"]);
    expect(createdPods(second)[0]?.spec?.containers[0]?.args).toEqual(["Failed v 3"]);
    const hook = node(w, "wf[0].a.onExit");
    expect(hook).toMatchObject({ boundaryID: "wf", displayName: "a.onExit" });
    expect(node(w, "wf[0].a").children).toContain(hook.id);
    expect(node(w, "wf[0]").phase).toBe("Running");
    succeed(w, "wf[0].a.onExit");
    const third = step(w);
    expect(third.status).toMatchObject({ phase: "Failed", message: "Error (exit code 3)" });
    expect(nodeNames(w)).not.toContain("wf[1]");
  });

  it("when a step with onExit succeeds, then its handler runs before the next group starts", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, onExit: echo}
    - - {name: b, template: echo}
  - {name: echo, container: {image: alpine}}
`);
    step(w);
    succeed(w, "wf[0].a");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[0].a.onExit"]);
    succeed(w, "wf[0].a.onExit");
    expect(createdPods(step(w)).map(nodeNameOf)).toEqual(["wf[1].b"]);
  });

  it("when a step is skipped, then its exit hook does not run", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, onExit: echo, when: "1 == 2"}
  - {name: echo, container: {image: alpine}}
`);
    expect(step(w).status.phase).toBe("Succeeded");
    expect(nodeNames(w)).not.toContain("wf[0].a.onExit");
  });
});
