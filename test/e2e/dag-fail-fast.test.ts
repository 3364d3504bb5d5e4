// DAG failFast (on by default) in the cluster: once a task fails, the running one finishes but
// nothing new starts, the DAG fails, and the exit handler runs.
import { describe, expect, it } from "vitest";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  handlerLog,
  podsOfWorkflow,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

describe("DAG failFast", () => {
  it("when a task fails while another runs, then the running one finishes, its dependant never starts, and the handler runs", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: failfast- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    dag:
      tasks:
      - { name: fails, template: fail }
      - { name: slow, template: slow }
      - { name: after-slow, template: slow, dependencies: [slow] }
  - name: fail
    container: { image: alpine:3.20, command: [sh, -c], args: ["exit 3"] }
  - name: slow
    container: { image: alpine:3.20, command: [sh, -c], args: ["sleep 4; echo slow done"] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo handler saw {{workflow.status}}"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    const byName = Object.fromEntries(
      Object.values(workflow.status?.nodes ?? {}).map((n) => [n.displayName, n.phase]),
    );
    expect(byName).toMatchObject({ fails: "Failed", slow: "Succeeded" });
    expect(byName["after-slow"]).toBeUndefined();

    expect(await handlerLog(ns, name)).toContain("handler saw Failed");
    expect(podsOfWorkflow(ns, name)).toHaveLength(3);
  });
});
