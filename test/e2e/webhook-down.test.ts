// With the webhook unreachable (failurePolicy Fail), the API server refuses every step pod with
// `failed calling webhook "inject.onexit.dev"`. That may pass: the step waits Pending with the
// reason, `kubectl get workflow` shows it, and once the webhook is back the workflow completes.
import { describe, expect, it } from "vitest";
import { kubectl, waitFor } from "./kube.ts";
import { RELEASE_NAMESPACE } from "./install-onexit.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  getWorkflow,
  handlerLog,
  handlerPods,
  oneStepWorkflow,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

const WEBHOOK = "deployment/onexit-webhook";

function scaleWebhook(replicas: string): void {
  kubectl(["-n", RELEASE_NAMESPACE, "scale", WEBHOOK, `--replicas=${replicas}`]);
}

describe("the webhook down", () => {
  it("when the webhook has no pod, then the step waits Pending naming it, and once it is back the workflow completes and its handler runs once", async () => {
    const replicas = kubectl(["-n", RELEASE_NAMESPACE, "get", WEBHOOK, "-o", "jsonpath={.spec.replicas}"]);
    let name = "";
    try {
      scaleWebhook("0");
      kubectl(
        [
          "-n",
          RELEASE_NAMESPACE,
          "wait",
          "--for=delete",
          "pod",
          "-l",
          "app.kubernetes.io/component=webhook",
          "--timeout=120s",
        ],
        { timeoutMs: 140_000 },
      );
      name = createWorkflow(
        ns,
        oneStepWorkflow({
          prefix: "webhook-down",
          step: "echo hi",
          handler: "echo handled {{workflow.status}}",
        }),
      );
      const waiting = await waitFor(
        () => {
          const workflow = getWorkflow(ns, name);
          return workflow.status?.message?.includes('failed calling webhook "inject.onexit.dev"') === true
            ? workflow
            : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500, description: "the workflow's message naming the webhook" },
      );
      expect(waiting.status?.phase).toBe("Running");
      const node = waiting.status?.nodes?.[name];
      expect(node?.phase).toBe("Pending");
      expect(node?.message).toContain('failed calling webhook "inject.onexit.dev"');
      expect(kubectl(["-n", ns, "get", "workflow", name, "--no-headers"])).toContain("inject.onexit.dev");
    } finally {
      scaleWebhook(replicas || "2");
      kubectl(["-n", RELEASE_NAMESPACE, "rollout", "status", WEBHOOK, "--timeout=180s"], {
        timeoutMs: 200_000,
      });
    }
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    expect(workflow.status?.message).toBeUndefined();
    expect(workflow.status?.nodes?.[name]?.message).toBeUndefined();
    expect(handlerPods(ns, name)).toHaveLength(1);
    expect(await handlerLog(ns, name)).toContain("handled Succeeded");
  });
});
