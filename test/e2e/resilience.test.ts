// The coordinator restarted in the middle of a workflow must still run the handler, once.
import { describe, expect, it } from "vitest";
import { kubectl, waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  oneStepWorkflow,
  handlerPods,
  podsOfWorkflow,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

describe("resilience", () => {
  it("when the coordinator restarts mid-workflow, then the handler still runs exactly once", async () => {
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "restart",
        step: "sleep 8; echo done",
        handler: "echo handled {{workflow.status}}",
      }),
    );
    await waitFor(() => (podsOfWorkflow(ns, name).some((p) => p.phase === "Running") ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    kubectl([
      "-n",
      "onexit",
      "delete",
      "pods",
      "-l",
      "app.kubernetes.io/component=coordinator",
      "--wait=false",
    ]);
    const workflow = await waitForWorkflowDone(ns, name, 180_000);
    expect(workflow.status?.phase).toBe("Succeeded");
    expect(handlerPods(ns, name)).toHaveLength(1);
    kubectl(["-n", "onexit", "rollout", "status", "deployment/onexit-coordinator", "--timeout=120s"]);
  });
});
