// Template parallelism in the cluster: a loop of three items under `parallelism: 1` runs its
// pods one after the other, and the exit handler runs once the loop has ended.
import { describe, expect, it } from "vitest";
import { E2E_NAMESPACE as ns, createWorkflow, handlerLog, waitForWorkflowDone } from "./workflow-helpers.ts";

describe("template parallelism", () => {
  it("with parallelism 1, each item of a loop starts only after the previous one finished, then the handler runs", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: parallelism- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    parallelism: 1
    steps:
    - - { name: s, template: nap, arguments: { parameters: [{ name: item, value: "{{item}}" }] }, withItems: [a, b, c] }
  - name: nap
    inputs: { parameters: [{ name: item }] }
    container: { image: alpine:3.20, command: [sh, -c], args: ["sleep 2; echo {{inputs.parameters.item}}"] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo handler saw {{workflow.status}}"] }
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    const nodes = Object.values(workflow.status?.nodes ?? {});
    const items = ["s(0:a)", "s(1:b)", "s(2:c)"].map((displayName) =>
      nodes.find((n) => n.displayName === displayName),
    );
    for (const item of items) expect(item).toMatchObject({ phase: "Succeeded" });
    // The API's timestamps have one-second resolution: allow a second of overlap at most.
    for (const [previous, next] of items.slice(0, -1).map((item, i) => [item, items[i + 1]] as const)) {
      const nextStart = Date.parse(next?.startedAt ?? "");
      const previousEnd = Date.parse(previous?.finishedAt ?? "");
      expect(nextStart).toBeGreaterThanOrEqual(previousEnd - 1000);
    }

    expect(await handlerLog(ns, name)).toContain("handler saw Succeeded");
  });
});
