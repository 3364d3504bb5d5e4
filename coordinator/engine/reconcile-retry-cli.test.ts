// `argo retry` against onexit: the CLI resets the status itself (testing/argo-cli.ts plays it);
// the engine must run the failed steps and the exit handler again, and never take a result
// from the pods of the earlier run.
import { readFileSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { reconcile } from "./reconcile.ts";
import type { Workflow } from "./workflow.ts";
import { argoRetry } from "./testing/argo-cli.ts";
import { createdPods, exit, fail, kinds, node, podOf, step, succeed, world } from "./testing/world.ts";
import type { World } from "./testing/world.ts";

const WORKFLOW = `
spec:
  entrypoint: main
  onExit: report
  templates:
  - name: main
    steps:
    - - {name: build, template: say}
    - - {name: test, template: say}
  - name: say
    container: {image: alpine, command: [echo, hi]}
  - name: report
    container: {image: alpine, args: ["{{workflow.status}} {{workflow.failures}}"]}
`;

function handlerPodName(w: World): string {
  return podOf(w, "wf.onExit").metadata?.name ?? "";
}

/** The workflow failed at `test` and its handler ran and reported Failed. */
function failedOnce(): World {
  const w = world(WORKFLOW);
  step(w);
  succeed(w, "wf[0].build");
  step(w);
  fail(w, "wf[1].test");
  step(w);
  succeed(w, "wf.onExit");
  expect(step(w).status.phase).toBe("Failed");
  return w;
}

describe("reconcile: argo retry", () => {
  it("when a failed workflow is retried, then only the failed step runs again, the handler runs again once and sees the new outcome", () => {
    const w = failedOnce();
    expect(w.workflow.metadata.labels).toMatchObject({ "workflows.argoproj.io/completed": "true" });
    const buildPod = podOf(w, "wf[0].build").metadata?.name;
    argoRetry(w);
    const again = step(w);
    expect(again.status.phase).toBe("Running");
    expect(again.status.finishedAt).toBeUndefined();
    expect(again.labels).toEqual({
      "workflows.argoproj.io/phase": "Running",
      "workflows.argoproj.io/completed": "false",
    });
    expect(kinds(again.actions)).toContain("addFinalizer");
    expect(
      createdPods(again).map((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"]),
    ).toEqual(["wf[1].test"]);
    expect(podOf(w, "wf[0].build").metadata?.name).toBe(buildPod);

    succeed(w, "wf[1].test");
    const ended = step(w);
    expect(node(w, "wf[1]")).toMatchObject({ phase: "Succeeded" });
    expect(node(w, "wf[1]").finishedAt).toBe(w.now.toISOString());
    expect(createdPods(ended).map((p) => p.metadata?.name)).toEqual([handlerPodName(w)]);
    expect(podOf(w, "wf.onExit").spec?.containers[0]?.args).toEqual(["Succeeded []"]);
    succeed(w, "wf.onExit");
    const done = step(w);
    expect(done.status.phase).toBe("Succeeded");
    expect(done.labels).toEqual({
      "workflows.argoproj.io/phase": "Succeeded",
      "workflows.argoproj.io/completed": "true",
    });
    const handlerCreates = w.actions.filter((a) => a.kind === "createPod" && a.exitHandler);
    expect(handlerCreates).toHaveLength(2);
    expect(step(w).actions).toEqual([]);
  });

  it("when the cache still shows the earlier run's pods (being deleted), then they are never adopted: the nodes wait, then get pods of their own", () => {
    const w = failedOnce();
    const testPod = podOf(w, "wf[1].test").metadata?.name ?? "";
    argoRetry(w, { lagging: true });
    const waiting = step(w);
    expect(createdPods(waiting)).toEqual([]);
    expect(kinds(waiting.actions)).not.toContain("deletePod");
    expect(node(w, "wf[1].test")).toMatchObject({
      phase: "Pending",
      podName: testPod,
      message: `waiting for pod ${testPod} of an earlier run to be deleted`,
    });
    expect(waiting.status.message).toBe(`test: waiting for pod ${testPod} of an earlier run to be deleted`);
    expect(waiting.requeueAfterMs).toBeGreaterThan(0);
    expect(step(w).actions.filter((a) => a.kind === "createPod")).toEqual([]);

    w.pods = w.pods.filter((p) => p.metadata?.name !== testPod);
    const created = step(w);
    expect(createdPods(created).map((p) => p.metadata?.name)).toEqual([testPod]);
    expect(podOf(w, "wf[1].test").metadata?.labels?.["workflows.argoproj.io/completed"]).toBeUndefined();
    exit(w, "wf[1].test", 0);
    step(w);
    expect(node(w, "wf[1].test")).toMatchObject({ phase: "Succeeded" });
    expect(node(w, "wf[1].test").message).toBeUndefined();
  });

  it("when an earlier run's completed pod was not deleted, then the engine deletes it before running the node again", () => {
    const w = failedOnce();
    const pods = structuredClone(w.pods);
    const testPod = podOf(w, "wf[1].test").metadata?.name;
    argoRetry(w);
    w.pods = pods;
    const again = step(w);
    const deleted = again.actions.flatMap((a) => (a.kind === "deletePod" ? [a.name] : []));
    expect(deleted).toEqual([testPod]);
    expect(createdPods(again)).toEqual([]);
    const next = step(w);
    expect(
      createdPods(next).map((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"]),
    ).toEqual(["wf[1].test"]);
  });

  it("when a retried step with a retryStrategy had run out of attempts, then its attempts start again from the first", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: flaky, template: flaky}]]
  - name: flaky
    retryStrategy: {limit: 1}
    container: {image: alpine}
`);
    step(w);
    fail(w, "wf[0].flaky(0)");
    step(w);
    fail(w, "wf[0].flaky(1)");
    expect(step(w).status.phase).toBe("Failed");
    argoRetry(w);
    const again = step(w);
    expect(node(w, "wf[0].flaky")).toMatchObject({
      type: "Retry",
      phase: "Running",
      children: [node(w, "wf[0].flaky(0)").id],
    });
    expect(
      createdPods(again).map((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"]),
    ).toEqual(["wf[0].flaky(0)"]);
  });
});

describe("reconcile: the status Argo's own FormulateRetryWorkflow wrote", () => {
  it("when the engine reads it, then the failed step and the handler run again and nothing else", () => {
    const fixture = JSON.parse(
      readFileSync(new URL("./testing/argo-retry-v4.0.5.json", import.meta.url), "utf8"),
    ) as {
      workflow: Workflow;
      podsToDelete: string[];
      podsLeft: V1Pod[];
    };
    const now = new Date(Date.parse(fixture.workflow.status?.startedAt ?? "") + 1000);
    const input = {
      workflow: fixture.workflow,
      pods: fixture.podsLeft,
      now,
      config: { defaultServiceAccountName: "" },
    };
    const result = reconcile(input);
    expect(result.status.phase).toBe("Running");
    expect(result.status.finishedAt).toBeUndefined();
    expect(
      Object.values(result.status.nodes ?? {}).some(
        (n) => (n as unknown as Record<string, unknown>).finishedAt === null,
      ),
    ).toBe(false);
    const created = createdPods(result).map((p) => p.metadata?.name);
    expect(created).toEqual([fixture.podsToDelete[0]]);
    expect(kinds(result.actions)).toContain("addFinalizer");
  });
});
