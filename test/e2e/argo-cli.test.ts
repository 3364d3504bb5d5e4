// Argo's own CLI (built from its Go module by test/cluster/build.sh) driving onexit in kube mode
// (no argo-server), as a user with Argo habits would: what it prints must read as Argo's.
// The tests share one namespace and run in order: resubmit and delete reuse the first two.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, uniqueNamespace, waitFor } from "./kube.ts";
import {
  getWorkflow,
  handlerLog,
  handlerPods,
  podsOfWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

interface ArgoResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const argoBinary = path.join(
  process.env.ONEXIT_CACHE || path.join(homedir(), ".cache", "onexit"),
  "bin",
  "argo",
);
let ns = "";

/** `argo --kubeconfig $KUBECONFIG -n <ns> ...args`; never throws on a non-zero exit (tests read it). */
function argo(args: string[], input = ""): ArgoResult {
  // Kube mode (the CLI talks to the API server itself); TERM=dumb: no colour codes in the output.
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "dumb" };
  delete env.ARGO_SERVER;
  const result = spawnSync(argoBinary, ["--kubeconfig", process.env.KUBECONFIG ?? "", "-n", ns, ...args], {
    env,
    input,
    encoding: "utf8",
    timeout: 170_000,
  });
  if (result.error)
    throw new Error(`argo ${args.join(" ")}: ${result.error.message}`, { cause: result.error });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

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

/** The rows of `argo get`'s node tree, as [marker, step name, template, pod name, duration, ...]. */
function treeRows(getOutput: string): string[][] {
  const tree = getOutput.slice(getOutput.indexOf("\nSTEP") + 1);
  return tree
    .split("\n")
    .slice(1)
    .map((line) =>
      line
        .replace(/[│├└─┬┴┼]/g, " ")
        .trim()
        .split(/\s+/),
    )
    .filter((cells) => cells.length >= 3);
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

  // `argo retry` (util.FormulateRetryWorkflow) computes a new status (phase "", the failed pod
  // nodes and every onExit node dropped, their ancestors reset to Running), deletes the failed
  // steps' pods and the handler's pods, and writes the object with one Update of the main
  // resource (labels workflows.argoproj.io/action=Retry and actor added, spec.shutdown
  // cleared). onexit's CRD has a status subresource (Argo's has none), so the API server keeps
  // the old status: the workflow stays Failed, its failed and handler pods gone, nothing reruns.
  it.todo(
    "argo retry: a failed workflow's failed nodes run again and the handler runs again for the new outcome",
  );
  // `argo suspend` sets spec.suspend=true (an Update): `argo list/get` then print
  // "Running (Suspended)", but onexit starts the next steps anyway. `argo resume` removes
  // spec.suspend and sets every Running node of type Suspend to Succeeded (status, same
  // Update: discarded as above). onexit refuses `suspend` templates.
  it.todo(
    "argo suspend / resume: no step starts while spec.suspend is true, resume continues, stop still runs the handler",
  );
  // Argo's controller labels each Workflow workflows.argoproj.io/phase and, once done,
  // workflows.argoproj.io/completed=true; `argo list --status/--completed/--running` and
  // `argo delete --completed/--status` select on them. onexit sets neither on Workflows.
  it.todo(
    "argo list --completed / --running / --status: onexit labels workflows with their phase and completion",
  );
});
