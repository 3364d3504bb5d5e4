// A namespace at its ResourceQuota: the real ResourceQuota admission plugin refuses the second
// pod with 403 "exceeded quota", and the real resourcequota controller frees room when the first
// pod ends. As in Argo, the step waits Pending with the API's message instead of failing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyYaml, kubectl, uniqueNamespace, waitFor } from "./kube.ts";
import { createWorkflow, getWorkflow, handlerLog, waitForWorkflowDone } from "./workflow-helpers.ts";

let ns = "";

beforeAll(async () => {
  ns = await uniqueNamespace("quota");
  applyYaml(
    `
apiVersion: v1
kind: ResourceQuota
metadata: { name: one-pod }
spec: { hard: { pods: "1" } }
`,
    ns,
  );
  // Admission refuses every pod until the controller has computed the quota's usage.
  await waitFor(
    () =>
      kubectl(["-n", ns, "get", "resourcequota", "one-pod", "-o", "jsonpath={.status.hard.pods}"]) ||
      undefined,
    { timeoutMs: 30_000, description: "the quota's status" },
  );
});

afterAll(() => {
  if (ns !== "") kubectl(["delete", "namespace", ns, "--wait=false"]);
});

describe("a namespace at its pod quota", () => {
  it("when two parallel steps do not both fit, then one waits Pending naming the quota, runs when room is made, and the handler runs too", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: quota- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - { name: a, template: work }
      - { name: b, template: work }
  - name: work
    container: { image: alpine:3.20, command: [sh, -c], args: ["sleep 3; echo done"] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo handler saw {{workflow.status}}"] }
`,
    );
    const waiting = await waitFor(
      () =>
        Object.values(getWorkflow(ns, name).status?.nodes ?? {}).find((n) =>
          n.message?.includes("exceeded quota"),
        ),
      { timeoutMs: 60_000, intervalMs: 300, description: "a node waiting for quota" },
    );
    expect(waiting.phase).toBe("Pending");
    expect(waiting.message).toMatch(/^403: pods ".+" is forbidden: exceeded quota: one-pod/);

    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    const steps = Object.values(workflow.status?.nodes ?? {}).filter((n) => n.type === "Pod");
    expect(steps.map((n) => [n.phase, n.message])).toEqual([
      ["Succeeded", undefined],
      ["Succeeded", undefined],
      ["Succeeded", undefined],
    ]);
    expect(await handlerLog(ns, name)).toContain("handler saw Succeeded");
  });
});
