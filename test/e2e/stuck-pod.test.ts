// A step pod the kubelet cannot start without its author's help: the reason is the step's message
// while it waits, and after the grace (15 s in the e2e install) the step ends in Error, its pod is
// deleted and the exit handler runs. Real kubelet: the waiting reasons are its own.
import { describe, expect, it } from "vitest";
import { waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  getWorkflow,
  handlerLog,
  podsOfWorkflow,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

function workflowYaml(prefix: string, container: string): string {
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: ${prefix}- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    container: ${container}
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo handler saw {{workflow.status}}"] }
`;
}

function stepMessage(name: string): string {
  const nodes = Object.values(getWorkflow(ns, name).status?.nodes ?? {});
  return nodes.find((n) => n.type === "Pod" && n.templateName === "main")?.message ?? "";
}

describe("a step pod that cannot start", () => {
  it("when a step's Secret does not exist, then the step says so, ends in Error after the grace, and the handler runs", async () => {
    const name = createWorkflow(
      ns,
      workflowYaml(
        "no-secret",
        `{ image: alpine:3.20, command: [sh, -c], args: ["echo never"], env: [{ name: TOKEN, valueFrom: { secretKeyRef: { name: no-such-secret, key: token } } }] }`,
      ),
    );
    await waitFor(() => stepMessage(name).includes("CreateContainerConfigError"), {
      timeoutMs: 60_000,
      description: `the step of ${name} to name CreateContainerConfigError`,
    });
    expect(stepMessage(name)).toMatch(
      /^pod cannot start: container main: CreateContainerConfigError: .*no-such-secret/,
    );
    const done = await waitForWorkflowDone(ns, name);
    expect(["Failed", "Error"]).toContain(done.status?.phase);
    expect(stepMessage(name)).toMatch(
      /^pod cannot start: container main: CreateContainerConfigError: .* \(for \d+ s\)$/,
    );
    expect(await handlerLog(ns, name)).toMatch(/handler saw (Failed|Error)/);
    await waitFor(
      () => podsOfWorkflow(ns, name).every((p) => p.labels["workflows.argoproj.io/on-exit"] === "true"),
      {
        timeoutMs: 60_000,
        description: `the stuck pod of ${name} to be deleted`,
      },
    );
  });

  it("when a step's image cannot be pulled, then it ends in Error naming the pull and the handler runs", async () => {
    const name = createWorkflow(
      ns,
      workflowYaml(
        "no-image",
        `{ image: "registry.invalid/onexit/missing:1", command: [sh, -c], args: ["echo never"] }`,
      ),
    );
    const done = await waitForWorkflowDone(ns, name);
    expect(["Failed", "Error"]).toContain(done.status?.phase);
    expect(stepMessage(name)).toMatch(/^pod cannot start: container main: (ErrImagePull|ImagePullBackOff)/);
    expect(await handlerLog(ns, name)).toMatch(/handler saw (Failed|Error)/);
  });
});
