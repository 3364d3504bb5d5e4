// Deleting the namespace of a running workflow must never leave it Terminating: the exit handler
// can no longer be created there (the API server refuses new content in a namespace being
// deleted), so the coordinator records why, removes its finalizer and lets the deletion finish.
import { describe, expect, it } from "vitest";
import { FINALIZER } from "../../common/names.ts";
import { workflowKey } from "../../common/workflow-key.ts";
import { kubectl, uniqueNamespace, waitFor } from "./kube.ts";
import { createWorkflow, getWorkflow, oneStepWorkflow, podsOfWorkflow } from "./workflow-helpers.ts";

describe("deleting a workflow's namespace", () => {
  it("when the namespace of a running workflow with an exit handler is deleted, then the namespace goes away and the coordinator logs why the handler could not run", async () => {
    const ns = await uniqueNamespace("ns-delete");
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "doomed",
        step: "trap 'exit 143' TERM; sleep 600 & wait",
        handler: "echo handled {{workflow.status}}",
      }),
    );
    await waitFor(() => podsOfWorkflow(ns, name).some((p) => p.phase === "Running"), {
      timeoutMs: 90_000,
      description: "the step's pod running",
    });
    expect(getWorkflow(ns, name).metadata.finalizers).toContain(FINALIZER);

    kubectl(["delete", "namespace", ns, "--wait=false"]);
    // kubectl's own bounded wait: the test asserts that the namespace goes, not how fast.
    kubectl(["wait", "--for=delete", `namespace/${ns}`, "--timeout=240s"], { timeoutMs: 260_000 });

    const log = kubectl([
      "-n",
      "onexit",
      "logs",
      "-l",
      "app.kubernetes.io/component=coordinator",
      "--tail=-1",
    ]);
    const lines = log.split("\n").filter((line) => line.includes(`workflow=${workflowKey(ns, name)}`));
    expect(lines.filter((line) => line.includes("being terminated"))).not.toEqual([]);
    expect(lines.some((line) => line.includes("finalizer removed"))).toBe(true);
  });
});
