// retryStrategy.backoff in the real cluster: attempts wait duration × factor^n between them
// (the API's timestamps have one-second resolution, so the gaps are checked to within 1 s),
// the Retry node says "Backoff for …" meanwhile, and the exit handler runs at the end.
import { describe, expect, it } from "vitest";
import { waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  getWorkflow,
  handlerLog,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

const seconds = (from: string | undefined, to: string | undefined): number =>
  (Date.parse(to ?? "") - Date.parse(from ?? "")) / 1000;

describe("retry backoff", () => {
  it("when a failing step retries with a backoff, then each attempt waits longer and the handler still runs", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: backoff- }
spec:
  entrypoint: flaky
  onExit: bye
  templates:
  - name: flaky
    retryStrategy: { limit: 2, backoff: { duration: "2", factor: "2" } }
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo attempt; exit 1"] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo handler saw {{workflow.status}}"] }
`,
    );
    const waiting = await waitFor(
      () => getWorkflow(ns, name).status?.nodes?.[name]?.message?.match(/^Backoff for .+/)?.[0],
      { timeoutMs: 60_000, intervalMs: 200, description: "the Retry node waiting in backoff" },
    );
    expect(["Backoff for 2 seconds", "Backoff for 4 seconds"]).toContain(waiting);

    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    const nodes = workflow.status?.nodes ?? {};
    const retry = nodes[name];
    expect(retry?.type).toBe("Retry");
    const attempts = (retry?.children ?? []).map((id) => nodes[id]);
    expect(attempts.map((a) => a?.phase)).toEqual(["Failed", "Failed", "Failed"]);
    expect(seconds(attempts[0]?.finishedAt, attempts[1]?.startedAt)).toBeGreaterThanOrEqual(1);
    expect(seconds(attempts[1]?.finishedAt, attempts[2]?.startedAt)).toBeGreaterThanOrEqual(3);

    expect(await handlerLog(ns, name)).toContain("handler saw Failed");
  });
});
