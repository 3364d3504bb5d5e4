// Issue 3 end to end: real API server, real kubectl, onexit installed by its chart.
import { describe, expect, it } from "vitest";
import { kubectl, waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  oneStepWorkflow,
  handlerPods,
  logs,
  podsOfWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";
import { readFileSync } from "node:fs";
import { fnv32a } from "../../common/names.ts";
import type { Workflow } from "../../common/types.ts";

const seed = readFileSync(new URL("../../examples/exit-handler.yaml", import.meta.url), "utf8");

function workflowEventReasons(workflow: string): string[] {
  const events = JSON.parse(
    kubectl([
      "-n",
      ns,
      "get",
      "events",
      "--field-selector",
      `involvedObject.kind=Workflow,involvedObject.name=${workflow}`,
      "-o",
      "json",
    ]),
  ) as { items: { reason: string }[] };
  return events.items.map((e) => e.reason);
}

async function waitForRunningPod(workflow: string): Promise<void> {
  await waitFor(() => (podsOfWorkflow(ns, workflow).some((p) => p.phase === "Running") ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 500,
    description: `a running pod of ${workflow}`,
  });
}

function nodeByDisplayName(workflow: Workflow, displayName: string) {
  return Object.values(workflow.status?.nodes ?? {}).find((n) => n.displayName === displayName);
}

describe("workflows", () => {
  it("when the seed example runs, then it fails with Error (exit code 1) and the handler prints Failed", async () => {
    const name = createWorkflow(ns, seed);
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    expect(workflow.status?.message).toBe("Error (exit code 1)");

    const columns = kubectl(["-n", ns, "get", "workflow", name, "--no-headers"]).trim().split(/\s+/);
    expect(columns[0]).toBe(name);
    expect(columns[1]).toBe("Failed");
    expect(kubectl(["-n", ns, "get", "workflow", name])).toMatch(/NAME\s+STATUS\s+AGE\s+MESSAGE/);

    const handlerPod = `${name}-exit-handler-${fnv32a(`${name}.onExit`)}`;
    const pods = await waitForPodsDone(ns, name);
    expect(pods.map((p) => p.name).sort()).toEqual([name, handlerPod].sort());
    expect(logs(ns, name)).toContain("failed step");
    expect(logs(ns, handlerPod)).toContain("Exit status: Failed");
  });

  it("when every step succeeds, then the handler prints Succeeded and the workflow succeeds", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: ok- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - { name: a, template: echo }
    - - { name: b, template: echo }
  - name: echo
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo hi"] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo status={{workflow.status}} failures={{workflow.failures}}"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    const [handler] = handlerPods(ns, name);
    expect(handler).toBeDefined();
    await waitForPodsDone(ns, name);
    expect(logs(ns, handler!.name)).toContain("status=Succeeded failures=[]");
    expect(workflow.status?.progress).toBe("3/3");
  });

  it("when a step loops withItems, then one pod per item echoes it, the handler runs and the workflow succeeds", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: loop- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - { name: say, template: echo, arguments: { parameters: [{ name: msg, value: "{{item}}" }] }, withItems: [apple, pear] }
  - name: echo
    inputs: { parameters: [{ name: msg }] }
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo item={{inputs.parameters.msg}}"] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo status={{workflow.status}}"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    await waitForPodsDone(ns, name);
    for (const [index, item] of ["apple", "pear"].entries()) {
      const child = nodeByDisplayName(workflow, `say(${index}:${item})`);
      expect(child?.phase).toBe("Succeeded");
      expect(logs(ns, child!.podName!)).toContain(`item=${item}`);
    }
    const [handler] = handlerPods(ns, name);
    expect(handler).toBeDefined();
    expect(logs(ns, handler!.name)).toContain("status=Succeeded");
  });

  it("when the handler is a steps template with when on workflow.status, then only the matching branch runs", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: when- }
spec:
  entrypoint: fail
  onExit: handler
  templates:
  - name: fail
    container: { image: alpine:3.20, command: [sh, -c], args: ["exit 2"] }
  - name: handler
    steps:
    - - { name: celebrate, template: say, when: "{{workflow.status}} == Succeeded", arguments: { parameters: [{ name: msg, value: yay }] } }
      - { name: cry, template: say, when: "{{workflow.status}} != Succeeded", arguments: { parameters: [{ name: msg, value: "oh no {{workflow.status}}" }] } }
  - name: say
    inputs: { parameters: [{ name: msg }] }
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo {{inputs.parameters.msg}}"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    expect(workflow.status?.message).toBe("Error (exit code 2)");
    expect(nodeByDisplayName(workflow, "celebrate")?.phase).toBe("Skipped");
    const cry = nodeByDisplayName(workflow, "cry");
    expect(cry?.phase).toBe("Succeeded");
    await waitForPodsDone(ns, name);
    expect(
      logs(ns, cry!.podName ?? podsOfWorkflow(ns, name).find((p) => p.name.includes("say"))!.name),
    ).toContain("oh no Failed");
  });

  it("when a diamond DAG has a failing task with a task-level exit hook, then the hook runs and dependants are omitted", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: diamond- }
spec:
  entrypoint: diamond
  onExit: final
  templates:
  - name: diamond
    dag:
      tasks:
      - { name: A, template: ok }
      - name: B
        template: boom
        dependencies: [A]
        hooks:
          exit: { template: note, arguments: { parameters: [{ name: what, value: "B {{tasks.B.status}} {{tasks.B.exitCode}}" }] } }
      - { name: C, template: ok, dependencies: [A] }
      - { name: D, template: ok, depends: "B && C" }
  - name: ok
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo ok"] }
  - name: boom
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo boom; exit 3"] }
  - name: note
    inputs: { parameters: [{ name: what }] }
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo hook saw {{inputs.parameters.what}}"] }
  - name: final
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo final {{workflow.status}}"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    expect(nodeByDisplayName(workflow, "A")?.phase).toBe("Succeeded");
    expect(nodeByDisplayName(workflow, "B")?.phase).toBe("Failed");
    expect(nodeByDisplayName(workflow, "C")?.phase).toBe("Succeeded");
    expect(nodeByDisplayName(workflow, "D")?.phase).toBe("Omitted");
    const hook = Object.values(workflow.status?.nodes ?? {}).find((n) => n.name === `${name}.B.onExit`);
    expect(hook?.phase).toBe("Succeeded");
    await waitForPodsDone(ns, name);
    expect(logs(ns, hook!.podName!)).toContain("hook saw B Failed 3");
    expect(handlerPods(ns, name).length).toBeGreaterThanOrEqual(1);
  });

  for (const strategy of ["Stop", "Terminate"] as const) {
    it(`when a running workflow is shut down with ${strategy}, then steps are killed and the handler ${strategy === "Stop" ? "runs" : "does not run"}`, async () => {
      const name = createWorkflow(
        ns,
        oneStepWorkflow({
          prefix: "shutdown",
          step: "sleep 300",
          handler: "echo handled {{workflow.status}}",
        }),
      );
      await waitForRunningPod(name);
      kubectl([
        "-n",
        ns,
        "patch",
        "workflow",
        name,
        "--type=merge",
        "-p",
        JSON.stringify({ spec: { shutdown: strategy } }),
      ]);
      const workflow = await waitForWorkflowDone(ns, name);
      expect(workflow.status?.phase).toBe("Failed");
      expect(workflow.status?.message).toBe(`Stopped with strategy '${strategy}'`);
      expect(nodeByDisplayName(workflow, name)?.message).toBe(`workflow shutdown with strategy: ${strategy}`);
      expect(handlerPods(ns, name).length).toBe(strategy === "Stop" ? 1 : 0);
    });
  }

  it("when activeDeadlineSeconds passes, then the step is killed and the handler still runs", async () => {
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "deadline",
        step: "sleep 300",
        handler: "sleep 4; echo after deadline {{workflow.status}}",
        spec: { activeDeadlineSeconds: 3 },
      }),
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    expect(nodeByDisplayName(workflow, name)?.message).toBe("Step exceeded its deadline");
    const [handler] = handlerPods(ns, name);
    await waitForPodsDone(ns, name);
    expect(logs(ns, handler!.name)).toContain("after deadline Failed");
  });

  it("when a running workflow is deleted, then its handler runs exactly once and the workflow goes away", async () => {
    // The handler's pod goes with the workflow (owner reference), so the proof that it ran,
    // with the right status, and once, is in the workflow's Events, which outlive it.
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "deleted",
        step: "sleep 300",
        handler: '[ "{{workflow.status}}" = Failed ]',
      }),
    );
    await waitForRunningPod(name);
    kubectl(["-n", ns, "delete", "workflow", name, "--wait=false"]);
    await waitFor(
      () =>
        kubectl(["-n", ns, "get", "workflow", name, "--ignore-not-found", "-o", "name"]).trim() === ""
          ? true
          : undefined,
      { timeoutMs: 120_000, intervalMs: 500, description: "the workflow to go away" },
    );
    const reasons = workflowEventReasons(name);
    expect(reasons.filter((r) => r === "ExitHandlerStarted")).toHaveLength(1);
    expect(reasons).toContain("ExitHandlerCompleted");
    expect(reasons).not.toContain("ExitHandlerFailed");
  });

  it("when a step fails, then the handler reads its log tail from /onexit/logs", async () => {
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "tails",
        step: "echo the database said no; exit 7",
        handler: "cat /onexit/logs/*.log",
      }),
    );
    await waitForWorkflowDone(ns, name);
    const [handler] = handlerPods(ns, name);
    await waitForPodsDone(ns, name);
    expect(logs(ns, handler!.name)).toContain("the database said no");
  });

  it("when the API server refuses a step's pod, then the workflow ends in Error naming why and the handler prints Error", async () => {
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "refused",
        step: "echo never runs",
        stepContainer: { resources: { limits: { cpu: "lots" } } },
        handler: "echo handler saw {{workflow.status}}",
      }),
    );
    const workflow = await waitForWorkflowDone(ns, name, 60_000);
    expect(workflow.status?.phase).toBe("Error");
    expect(workflow.status?.message).toMatch(/^pod could not be created: 400: .*quantities must match/);
    expect(nodeByDisplayName(workflow, name)?.phase).toBe("Error");
    const pods = await waitForPodsDone(ns, name);
    expect(pods.map((p) => p.labels["workflows.argoproj.io/on-exit"])).toEqual(["true"]);
    expect(logs(ns, pods[0]!.name)).toContain("handler saw Error");
  });

  it("when a workflow breaks the CRD schema, then kubectl create fails naming the field", () => {
    expect(() =>
      createWorkflow(
        ns,
        `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: bad-schema- }
spec:
  entrypoint: main
  shutdown: Pause
  templates:
  - name: main
    container: { image: alpine:3.20, command: [sh, -c], args: ["true"] }
`,
      ),
    ).toThrow(/spec\.shutdown: Unsupported value: "Pause"/);
  });

  it("when a workflow names a missing template, then it ends in Error with a message naming it and runs no pod", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: bad-ref- }
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - { name: a, template: nope }
  - name: handler
    container: { image: alpine:3.20, command: [sh, -c], args: ["true"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Error");
    expect(workflow.status?.message).toMatch(/nope/);
    expect(podsOfWorkflow(ns, name)).toHaveLength(0);
  });
});
