import { describe, expect, it } from "vitest";
import { reconcile } from "./reconcile.ts";
import { createdPods, fail, kinds, node, nodeNames, running, step, succeed, world } from "./testing/world.ts";
import type { World } from "./testing/world.ts";

const WORKFLOWS: Record<string, string> = {
  seed: `
spec:
  entrypoint: step1
  onExit: exit-handler
  templates:
  - {name: step1, container: {image: alpine, command: [sh, -c], args: ["exit 1"]}}
  - {name: exit-handler, container: {image: alpine, args: ["{{workflow.status}}"]}}
`,
  stepsWithHooks: `
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, hooks: {exit: {template: echo}}}
      - {name: b, template: flaky}
    - - {name: c, template: echo, onExit: echo}
  - name: handler
    steps: [[{name: n, template: echo, when: "{{workflow.status}} != Succeeded"}]]
  - {name: echo, container: {image: alpine}}
  - {name: flaky, retryStrategy: {limit: 1}, container: {image: alpine}}
`,
  diamond: `
spec:
  entrypoint: d
  onExit: echo
  templates:
  - name: d
    dag:
      tasks:
      - {name: A, template: echo}
      - {name: B, template: echo, dependencies: [A], hooks: {exit: {template: echo}}}
      - {name: C, template: echo, dependencies: [A]}
      - {name: D, template: echo, dependencies: [B, C]}
  - {name: echo, container: {image: alpine}}
`,
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Drives a workflow to the end: every pod that exists and has no result fails (odd turns) or succeeds. */
function drive(w: World, check: (w: World) => void): void {
  for (
    let turn = 0;
    turn < 30 && !["Succeeded", "Failed", "Error"].includes(w.workflow.status?.phase ?? "");
    turn++
  ) {
    step(w);
    check(w);
    for (const pod of w.pods) {
      const name = pod.metadata?.annotations?.["workflows.argoproj.io/node-name"] ?? "";
      if (pod.metadata?.annotations?.["onexit.dev/report"] !== undefined) continue;
      if (turn % 2 === 1 && name.includes(".b")) fail(w, name);
      else succeed(w, name);
    }
  }
}

function again(w: World): ReturnType<typeof reconcile> {
  return reconcile({
    workflow: w.workflow,
    pods: w.pods,
    now: w.now,
    config: { defaultServiceAccountName: "" },
  });
}

describe("reconcile: properties", () => {
  for (const [name, yaml] of Object.entries(WORKFLOWS)) {
    it(`when ${name} is reconciled again on its own output at every turn, then nothing is created or announced twice and each pod is created once`, () => {
      const w = world(yaml);
      drive(w, (current) => {
        const repeat = kinds(again(current).actions).filter((k) => k !== "labelPodCompleted");
        expect(repeat).toEqual([]);
      });
      expect(["Succeeded", "Failed"]).toContain(w.workflow.status?.phase);
      const created = w.actions.flatMap((a) => (a.kind === "createPod" ? [a.pod.metadata?.name] : []));
      expect(created).toEqual([...new Set(created)]);
    });

    it(`when ${name} is reconciled with frozen input, then the input is never mutated`, () => {
      const w = world(yaml);
      drive(w, (current) => {
        const frozen = deepFreeze(structuredClone({ workflow: current.workflow, pods: current.pods }));
        const result = reconcile({ ...frozen, now: current.now, config: { defaultServiceAccountName: "" } });
        expect(result.status.phase).not.toBe("Error");
      });
    });
  }

  it("when a stopped step's pod delete was lost, then the next reconcile deletes the still-running pod again", () => {
    const w = world(WORKFLOWS.stepsWithHooks ?? "");
    step(w);
    running(w, "wf[0].a");
    step(w);
    const before = structuredClone(w.pods);
    w.workflow.spec.shutdown = "Stop";
    step(w);
    expect(node(w, "wf[0].a").phase).toBe("Failed");
    w.pods = [...before, ...w.pods.filter((p) => !before.some((q) => q.metadata?.name === p.metadata?.name))];
    const result = step(w);
    const deleted = result.actions.flatMap((a) => (a.kind === "deletePod" ? [a.name] : []));
    expect(deleted).toContain(node(w, "wf[0].a").podName);
    expect(kinds(step(w).actions)).not.toContain("deletePod");
  });

  it("when a workflow without our finalizer is being deleted, then nothing starts", () => {
    const w = world(WORKFLOWS.seed ?? "");
    w.workflow.metadata.deletionTimestamp = w.now.toISOString();
    const result = step(w);
    expect(result.actions).toEqual([]);
    expect(nodeNames(w)).toEqual([]);
  });

  it("when templates set scheduling fields, then pods carry them, the template's over the workflow's", () => {
    const w = world(`
spec:
  entrypoint: main
  nodeSelector: {disk: ssd}
  tolerations: [{key: k, operator: Exists}]
  templates:
  - name: main
    activeDeadlineSeconds: 60
    nodeSelector: {zone: a}
    container: {image: alpine}
`);
    const pod = createdPods(step(w))[0];
    expect(pod?.spec).toMatchObject({
      nodeSelector: { zone: "a" },
      tolerations: [{ key: "k", operator: "Exists" }],
      activeDeadlineSeconds: 60,
    });
  });

  it("when a template's activeDeadlineSeconds is a variable, then its pod gets the substituted value", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: timeout, value: "45"}]}
  templates:
  - name: main
    steps: [[{name: a, template: t, arguments: {parameters: [{name: s, value: "{{workflow.parameters.timeout}}"}]}}]]
  - name: t
    inputs: {parameters: [{name: s}]}
    activeDeadlineSeconds: "{{inputs.parameters.s}}"
    container: {image: alpine}
`);
    expect(createdPods(step(w))[0]?.spec?.activeDeadlineSeconds).toBe(45);
  });

  it("when a template's activeDeadlineSeconds is not an integer once substituted, then its step errors naming it", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: timeout, value: soon}]}
  templates:
  - name: main
    activeDeadlineSeconds: "{{workflow.parameters.timeout}}"
    container: {image: alpine}
`);
    expect(step(w).status).toMatchObject({
      phase: "Error",
      message: 'activeDeadlineSeconds "soon" is not a non-negative integer',
    });
  });
});
