import { describe, expect, it } from "vitest";
import { argoResume } from "../testing/argo-cli.ts";
import { createdPods, exit, node, phases, podOf, step, succeed, world } from "../testing/world.ts";
import type { World } from "../testing/world.ts";

const steps = (approve: string, deadline = "") => `
spec:
  entrypoint: main
  onExit: report
  ${deadline}
  templates:
  - name: main
    steps:
    - - {name: build, template: say}
    - - {name: approve, template: approve}
    - - {name: deploy, template: say}
  - name: approve
    ${approve}
  - name: say
    container: {image: alpine, command: [echo, hi]}
  - name: report
    container: {image: alpine, args: ["{{workflow.status}} {{workflow.failures}}"]}
`;

function handlerArgs(w: World): string {
  return podOf(w, "wf.onExit").spec?.containers[0]?.args?.[0] ?? "";
}

describe("reconcile: suspend templates", () => {
  it("when a suspend template without duration is reached, then its node is Running without a pod until argo resume, and the steps go on", () => {
    const w = world(steps("suspend: {}"));
    step(w);
    succeed(w, "wf[0].build");
    const reached = step(w);
    expect(node(w, "wf[1].approve")).toMatchObject({
      type: "Suspend",
      phase: "Running",
      templateName: "approve",
    });
    expect(createdPods(reached)).toEqual([]);
    expect(reached.requeueAfterMs).toBeUndefined();
    expect(reached.status.phase).toBe("Running");
    expect(createdPods(step(w, 3_600_000))).toEqual([]);
    expect(node(w, "wf[1].approve").phase).toBe("Running");

    argoResume(w);
    const resumed = step(w);
    expect(node(w, "wf[1].approve").phase).toBe("Succeeded");
    expect(
      createdPods(resumed).map((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"]),
    ).toEqual(["wf[2].deploy"]);
    succeed(w, "wf[2].deploy");
    step(w);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
    expect(handlerArgs(w)).toBe("Succeeded []");
  });

  it("when a suspend template has a duration, then the engine asks to be requeued at its end and the node then succeeds by itself", () => {
    const w = world(steps('suspend: {duration: "1m"}'));
    step(w);
    succeed(w, "wf[0].build");
    const reached = step(w);
    expect(node(w, "wf[1].approve").phase).toBe("Running");
    expect(reached.requeueAfterMs).toBe(60_000);
    expect(step(w, 20_000).requeueAfterMs).toBe(40_000);
    expect(node(w, "wf[1].approve").phase).toBe("Running");
    const after = step(w, 40_000);
    expect(node(w, "wf[1].approve")).toMatchObject({ phase: "Succeeded", finishedAt: w.now.toISOString() });
    expect(createdPods(after)).toHaveLength(1);
  });

  it("when the duration is a bare number or a template variable, then it reads as Argo's (seconds, Go durations)", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: wait, value: "90"}]}
  templates:
  - name: main
    steps: [[{name: pause, template: pause, arguments: {parameters: [{name: s, value: "{{workflow.parameters.wait}}"}]}}]]
  - name: pause
    inputs: {parameters: [{name: s}]}
    suspend: {duration: "{{inputs.parameters.s}}"}
`);
    expect(step(w).requeueAfterMs).toBe(90_000);
    expect(node(w, "wf[0].pause").inputs).toEqual({ parameters: [{ name: "s", value: "90" }] });
    step(w, 90_000);
    expect(w.workflow.status?.phase).toBe("Succeeded");
  });

  it("when a substituted duration is not a duration, then the node errs naming it", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: wait, value: soon}]}
  templates:
  - name: main
    suspend: {duration: "{{workflow.parameters.wait}}"}
`);
    step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Error",
      message: 'suspend.duration "soon" is not a duration',
    });
  });

  it("when a suspended step is stopped, then it fails as in Argo, the handler runs, and workflow.failures names it", () => {
    const w = world(steps("suspend: {}"));
    step(w);
    succeed(w, "wf[0].build");
    step(w);
    w.workflow.spec.shutdown = "Stop";
    const stopped = step(w);
    expect(node(w, "wf[1].approve")).toMatchObject({
      phase: "Failed",
      message: "Stopped with strategy 'Stop'",
    });
    expect(createdPods(stopped).map((p) => p.metadata?.labels?.["workflows.argoproj.io/on-exit"])).toEqual([
      "true",
    ]);
    expect(handlerArgs(w)).toMatch(/^Failed \[.*"displayName":"approve".*"templateName":"approve".*\]$/);
    succeed(w, "wf.onExit");
    expect(step(w).status).toMatchObject({ phase: "Failed", message: "Stopped with strategy 'Stop'" });
  });

  it("when a suspended step is terminated, then it fails and no handler runs", () => {
    const w = world(steps("suspend: {}"));
    step(w);
    succeed(w, "wf[0].build");
    step(w);
    w.workflow.spec.shutdown = "Terminate";
    const result = step(w);
    expect(createdPods(result)).toEqual([]);
    expect(result.status).toMatchObject({ phase: "Failed", message: "Stopped with strategy 'Terminate'" });
    expect(phases(w)["wf[1].approve"]).toBe("Failed");
  });

  it("when the workflow's deadline passes while a step is suspended, then the engine wakes at the earlier of the two and the step fails with the deadline's message", () => {
    const w = world(steps('suspend: {duration: "10m"}', "activeDeadlineSeconds: 30"));
    step(w);
    exit(w, "wf[0].build", 0);
    expect(step(w, 5_000).requeueAfterMs).toBe(25_000);
    step(w, 25_000);
    expect(node(w, "wf[1].approve")).toMatchObject({
      phase: "Failed",
      message: "Step exceeded its deadline",
    });
    expect(handlerArgs(w)).toMatch(/^Failed /);
  });
});
