// Argo's own CLI (built from its Go module by test/cluster/build.sh) driving onexit in kube mode
// (no argo-server), as a user with Argo habits would: what it prints must read as Argo's.
// The tests share one namespace and run in order: resubmit and delete reuse the first two.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argoBinary, runArgo, treeRows, type ArgoResult } from "./argo-cli.ts";
import { kubectl, uniqueNamespace, waitFor } from "./kube.ts";
import {
  getWorkflow,
  handlerLog,
  handlerPods,
  podsOfWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

let ns = "";

/** `argo --kubeconfig $KUBECONFIG -n <ns> ...args`; never throws on a non-zero exit (tests read it). */
const argo = (args: string[], input = ""): ArgoResult => runArgo(ns, args, input);

/** argo that must exit 0; returns its stdout. */
function argoOk(args: string[], input = ""): string {
  const result = argo(args, input);
  if (result.status !== 0)
    throw new Error(
      `argo ${args.join(" ")} exited ${result.status}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  return result.stdout;
}

/** A named workflow: one step `greet` running `script`, and the exit handler printing the outcome. */
function workflowYaml(name: string, script: string): string {
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: ${name} }
spec:
  entrypoint: main
  onExit: report
  templates:
  - name: main
    steps:
    - - { name: greet, template: say }
  - name: say
    container: { image: alpine:latest, command: [sh, -c], args: [${JSON.stringify(script)}] }
  - name: report
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo handler saw {{workflow.status}}"]
`;
}

/** Two steps, `build` (echo) then `test` running `script`, and the handler printing the outcome and the failures. */
function twoStepYaml(name: string, script: string, code = "0", buildScript = "echo built"): string {
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: ${name} }
spec:
  entrypoint: main
  onExit: report
  arguments: { parameters: [{ name: code, value: "${code}" }] }
  templates:
  - name: main
    steps:
    - - { name: build, template: say }
    - - { name: test, template: check }
  - name: say
    container: { image: alpine:latest, command: [sh, -c], args: [${JSON.stringify(buildScript)}] }
  - name: check
    container: { image: alpine:latest, command: [sh, -c], args: [${JSON.stringify(script)}] }
  - name: report
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo handler saw {{workflow.status}}; echo '{{workflow.failures}}'"]
`;
}

/** build, then `approve` (a suspend template with `suspend`), then deploy; the handler prints the outcome. */
function approvalYaml(name: string, suspend: string): string {
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: ${name} }
spec:
  entrypoint: main
  onExit: report
  templates:
  - name: main
    steps:
    - - { name: build, template: say }
    - - { name: approve, template: approve }
    - - { name: deploy, template: say }
  - name: approve
    suspend: ${suspend}
  - name: say
    container: { image: alpine:latest, command: [sh, -c], args: ["echo said"] }
  - name: report
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo handler saw {{workflow.status}}; echo '{{workflow.failures}}'"]
`;
}

async function waitForRunningStep(name: string): Promise<void> {
  await waitFor(
    () =>
      podsOfWorkflow(ns, name).some(
        (p) => p.phase === "Running" && !p.labels["workflows.argoproj.io/on-exit"],
      ),
    {
      timeoutMs: 120_000,
      intervalMs: 500,
      description: `the running step of ${name}`,
    },
  );
}

/** Pod name → uid: a pod that ran again has a new uid under the same name. */
function uidsOfPods(workflow: string): [string, string][] {
  const out = kubectl([
    "-n",
    ns,
    "get",
    "pods",
    "-l",
    `workflows.argoproj.io/workflow=${workflow}`,
    "-o",
    'jsonpath={range .items[*]}{.metadata.name} {.metadata.uid}{"\\n"}{end}',
  ]);
  return out
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(" ") as [string, string]);
}

/** The reasons of the workflow's ExitHandler* events, oldest first. */
function handlerEvents(workflow: string): string[] {
  const out = kubectl([
    "-n",
    ns,
    "get",
    "events",
    "--field-selector",
    `involvedObject.name=${workflow},involvedObject.kind=Workflow`,
    "--sort-by=.metadata.creationTimestamp",
    "-o",
    'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
  ]);
  return out.split("\n").filter((reason) => reason === "ExitHandlerStarted");
}

async function waitForNode(workflow: string, displayName: string, phase: string): Promise<void> {
  await waitFor(
    () =>
      Object.values(getWorkflow(ns, workflow).status?.nodes ?? {}).some(
        (n) => n.displayName === displayName && n.phase === phase,
      ),
    { timeoutMs: 120_000, intervalMs: 500, description: `node ${displayName} of ${workflow} to be ${phase}` },
  );
}

beforeAll(async () => {
  if (!existsSync(argoBinary))
    throw new Error(`${argoBinary} is missing: run \`make tools\` (test/cluster/build.sh)`);
  ns = await uniqueNamespace("argo-cli");
});

afterAll(() => {
  if (ns) kubectl(["delete", "namespace", ns, "--wait=false"]);
});

describe("the argo CLI against onexit", () => {
  it("when `argo submit --wait` runs a good workflow, then it prints Succeeded and exits 0; list, get and logs read as Argo's", async () => {
    const submitted = argo(["submit", "--wait", "-"], workflowYaml("hello", "echo hello from the argo cli"));
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toMatch(/^Name:\s+hello$/m);
    expect(submitted.stdout).toMatch(/^hello Succeeded at /m);

    expect(argoOk(["list"])).toMatch(
      /^NAME\s+STATUS\s+AGE\s+DURATION\s+PRIORITY\s+MESSAGE\s*\n(.*\n)*hello\s+Succeeded\s/m,
    );

    const pods = await waitForPodsDone(ns, "hello");
    const [handler] = handlerPods(ns, "hello");
    const step = pods.find((p) => p.name !== handler?.name);
    const got = argoOk(["get", "hello"]);
    expect(got).toMatch(/^Status:\s+Succeeded$/m);
    expect(treeRows(got)).toEqual([
      ["✔", "hello", "main"],
      ["✔", "greet", "say", step?.name, expect.any(String)],
      ["✔", "hello.onExit", "report", handler?.name, expect.any(String)],
    ]);

    const logged = argoOk(["logs", "hello"]);
    expect(logged).toMatch(new RegExp(`^${step?.name}: hello from the argo cli$`, "m"));
    expect(logged).toMatch(new RegExp(`^${handler?.name}: handler saw Succeeded$`, "m"));
  });

  it("when `argo submit --wait` runs a failing workflow, then it prints Failed, exits 1, and the handler saw Failed", async () => {
    const submitted = argo(["submit", "--wait", "-"], workflowYaml("broken", "echo about to fail; exit 3"));
    expect(submitted.status).toBe(1);
    expect(submitted.stdout).toMatch(/^broken Failed at /m);
    expect(argoOk(["get", "broken"])).toMatch(/^Message:\s+Error \(exit code 3\)$/m);
    expect(await handlerLog(ns, "broken")).toContain("handler saw Failed");
  });

  it("when `argo stop` hits a running workflow, then it ends Failed (Terminated) and its exit handler still runs", async () => {
    argoOk(["submit", "-"], workflowYaml("long-stop", "sleep 300"));
    await waitForRunningStep("long-stop");
    expect(argoOk(["stop", "long-stop"])).toContain("workflow long-stop stopped");
    expect((await waitForWorkflowDone(ns, "long-stop")).status?.message).toBe("Stopped with strategy 'Stop'");
    expect(await handlerLog(ns, "long-stop")).toContain("handler saw Failed");
    const got = argoOk(["get", "long-stop"]);
    expect(got).toMatch(/^Status:\s+Failed \(Terminated\)$/m);
    expect(treeRows(got).map((row) => row.slice(0, 3))).toEqual([
      ["✖", "long-stop", "main"],
      ["✖", "greet", "say"],
      ["✔", "long-stop.onExit", "report"],
    ]);
  });

  it("when `argo terminate` hits a running workflow, then it ends Failed (Terminated) without a handler, as in Argo", async () => {
    argoOk(["submit", "-"], workflowYaml("long-terminate", "sleep 300"));
    await waitForRunningStep("long-terminate");
    expect(argoOk(["terminate", "long-terminate"])).toContain("workflow long-terminate terminated");
    const done = await waitForWorkflowDone(ns, "long-terminate");
    expect(done.status?.message).toBe("Stopped with strategy 'Terminate'");
    expect(handlerPods(ns, "long-terminate")).toEqual([]);
    const got = argoOk(["get", "long-terminate"]);
    expect(got).toMatch(/^Status:\s+Failed \(Terminated\)$/m);
    expect(got).not.toContain("long-terminate.onExit");
  });

  it("when `argo resubmit --wait` resubmits a workflow, then a new one runs the same spec, handler included", async () => {
    const resubmitted = argo(["resubmit", "--wait", "hello"]);
    expect(resubmitted.status).toBe(0);
    const name = /^Name:\s+(\S+)$/m.exec(resubmitted.stdout)?.[1] ?? "";
    expect(name).toMatch(/^hello-[a-z0-9]+$/);
    expect(resubmitted.stdout).toMatch(new RegExp(`^${name} Succeeded at `, "m"));
    expect(getWorkflow(ns, name).metadata.labels?.["workflows.argoproj.io/resubmitted-from-workflow"]).toBe(
      "hello",
    );
    expect(await handlerLog(ns, name)).toContain("handler saw Succeeded");
  });

  it("when `argo delete` deletes a finished workflow, then it and its pods are gone", async () => {
    expect(argoOk(["delete", "broken"])).toContain("Workflow 'broken' deleted");
    await waitFor(
      () => kubectl(["-n", ns, "get", "workflows", "-o", "name"]).includes("/broken\n") === false,
      {
        timeoutMs: 60_000,
        description: "workflow broken to be gone",
      },
    );
    expect(argo(["get", "broken"]).status).not.toBe(0);
    await waitFor(() => podsOfWorkflow(ns, "broken").length === 0, {
      timeoutMs: 120_000,
      description: "the pods of workflow broken to be garbage-collected",
    });
  });

  // `argo retry` (util.FormulateRetryWorkflow) writes a new status with a plain update (phase "",
  // the failed pod nodes and every onExit node dropped, their ancestors reset to Running, the
  // `completed` label removed) after deleting those nodes' pods; `-p` overrides a parameter.
  it("when `argo retry` retries a failed workflow, then only the failed step runs again and the handler runs again, once, for the new outcome", async () => {
    argoOk(["submit", "-"], twoStepYaml("retried", "exit {{workflow.parameters.code}}", "3"));
    const failed = await waitForWorkflowDone(ns, "retried");
    expect(failed.status?.phase).toBe("Failed");
    expect(failed.metadata.labels?.["workflows.argoproj.io/completed"]).toBe("true");
    expect(await handlerLog(ns, "retried")).toContain("handler saw Failed");
    const firstPods = Object.fromEntries(uidsOfPods("retried"));

    const retried = argo(["retry", "retried", "-p", "code=0"]);
    expect(retried.status, retried.stderr).toBe(0);
    const done = await waitForWorkflowDone(ns, "retried");
    expect(done.status?.phase).toBe("Succeeded");
    expect(done.metadata.labels?.["workflows.argoproj.io/completed"]).toBe("true");
    expect(await handlerLog(ns, "retried")).toContain("handler saw Succeeded");
    const pods = podsOfWorkflow(ns, "retried");
    const again = Object.fromEntries(uidsOfPods("retried"));
    const build = pods.find((p) => p.annotations["workflows.argoproj.io/node-name"] === "retried[0].build");
    const test = pods.find((p) => p.annotations["workflows.argoproj.io/node-name"] === "retried[1].test");
    const [handler] = handlerPods(ns, "retried");
    // The same names (Argo's, from the node names), and new pods only where a node ran again.
    expect(again[build?.name ?? ""]).toBe(firstPods[build?.name ?? ""]);
    expect(again[test?.name ?? ""]).not.toBe(firstPods[test?.name ?? ""]);
    expect(again[handler?.name ?? ""]).not.toBe(firstPods[handler?.name ?? ""]);
    expect(handlerEvents("retried")).toEqual(["ExitHandlerStarted", "ExitHandlerStarted"]);
    expect(treeRows(argoOk(["get", "retried"])).map((row) => row.slice(0, 3))).toEqual([
      ["✔", "retried", "main"],
      ["✔", "build", "say"],
      ["✔", "test", "check"],
      ["✔", "retried.onExit", "report"],
    ]);
  });

  // `argo suspend` sets spec.suspend (a plain update); `argo resume` removes it and writes every
  // Running Suspend node Succeeded in the status.
  it("when `argo suspend` hits a running workflow, then the running step ends and is recorded but no step starts until `argo resume`", async () => {
    // The first step is the long one, so that the suspension lands while it runs.
    argoOk(["submit", "-"], twoStepYaml("paused", "echo tested", "0", "sleep 6; echo built"));
    await waitForRunningStep("paused");
    expect(argoOk(["suspend", "paused"])).toContain("workflow paused suspended");
    expect(argoOk(["get", "paused"])).toMatch(/^Status:\s+Running \(Suspended\)$/m);
    expect(argoOk(["list", "--running"])).toMatch(/^paused\s+Running/m);
    expect(argoOk(["list", "--completed"])).not.toMatch(/^paused\s/m);
    await waitForNode("paused", "build", "Succeeded");
    expect(podsOfWorkflow(ns, "paused").map((p) => p.annotations["workflows.argoproj.io/node-name"])).toEqual(
      ["paused[0].build"],
    );
    expect(getWorkflow(ns, "paused").status?.phase).toBe("Running");

    expect(argoOk(["resume", "paused"])).toContain("workflow paused resumed");
    const done = await waitForWorkflowDone(ns, "paused");
    expect(done.status?.phase).toBe("Succeeded");
    expect(await handlerLog(ns, "paused")).toContain("handler saw Succeeded");
    expect(argoOk(["list", "--completed", "--status", "Succeeded"])).toMatch(/^paused\s+Succeeded/m);
  });

  it("when a suspend template is reached, then the workflow reads as suspended until `argo resume`, then goes on", async () => {
    argoOk(["submit", "-"], approvalYaml("approval", "{}"));
    await waitForNode("approval", "approve", "Running");
    expect(argoOk(["get", "approval"])).toMatch(/^Status:\s+Running \(Suspended\)$/m);
    expect(podsOfWorkflow(ns, "approval")).toHaveLength(1);
    expect(argoOk(["resume", "approval"])).toContain("workflow approval resumed");
    const done = await waitForWorkflowDone(ns, "approval");
    expect(done.status?.phase).toBe("Succeeded");
    expect(await handlerLog(ns, "approval")).toContain("handler saw Succeeded");
    expect(treeRows(argoOk(["get", "approval"])).map((row) => row.slice(0, 3))).toEqual([
      ["✔", "approval", "main"],
      ["✔", "build", "say"],
      ["✔", "approve", "approve"],
      ["✔", "deploy", "say"],
      ["✔", "approval.onExit", "report"],
    ]);
  });

  it("when a suspend template has a duration, then it resumes by itself once it has passed", async () => {
    const submitted = argo(["submit", "--wait", "-"], approvalYaml("timed", '{duration: "3"}'));
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toMatch(/^timed Succeeded at /m);
    const approve = Object.values(getWorkflow(ns, "timed").status?.nodes ?? {}).find(
      (n) => n.displayName === "approve",
    );
    expect(approve).toMatchObject({ type: "Suspend", phase: "Succeeded" });
    expect(
      Date.parse(approve?.finishedAt ?? "") - Date.parse(approve?.startedAt ?? ""),
    ).toBeGreaterThanOrEqual(3000);
    expect(await handlerLog(ns, "timed")).toContain("handler saw Succeeded");
  });

  it("when a workflow waiting at a suspend template is stopped, then it fails and its exit handler runs and sees the failure", async () => {
    argoOk(["submit", "-"], approvalYaml("halted", "{}"));
    await waitForNode("halted", "approve", "Running");
    expect(argoOk(["stop", "halted"])).toContain("workflow halted stopped");
    const done = await waitForWorkflowDone(ns, "halted");
    expect(done.status?.message).toBe("Stopped with strategy 'Stop'");
    const log = await handlerLog(ns, "halted");
    expect(log).toContain("handler saw Failed");
    expect(log).toMatch(/"displayName":"approve","message":"Stopped with strategy '?Stop'?"/); // sh drops the quotes
  });

  it("when a workflow suspended with `argo suspend` is stopped, then its running step stops and its exit handler runs (Argo would stay suspended)", async () => {
    argoOk(["submit", "-"], twoStepYaml("suspended-stop", "sleep 300"));
    await waitForRunningStep("suspended-stop");
    argoOk(["suspend", "suspended-stop"]);
    expect(argoOk(["stop", "suspended-stop"])).toContain("workflow suspended-stop stopped");
    const done = await waitForWorkflowDone(ns, "suspended-stop");
    expect(done.status?.message).toBe("Stopped with strategy 'Stop'");
    expect(await handlerLog(ns, "suspended-stop")).toContain("handler saw Failed");
  });
});
