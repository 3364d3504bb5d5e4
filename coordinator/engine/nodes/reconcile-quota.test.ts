import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createRetryDelayMs } from "./pod-create.ts";
import { createdPods, events, exit, node, podNames, step, world, type World } from "../testing/world.ts";

const quotaMessage = (pod: string): string =>
  `403: pods "${pod}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1`;

const TWO_STEPS = `
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - { name: a, template: work }
      - { name: b, template: work }
  - name: work
    container: { image: alpine:latest, command: [sh, -c], args: ["sleep 1"] }
  - name: handler
    container: { image: alpine:latest, command: [sh, -c], args: ["echo {{workflow.status}}"] }
`;

/** A namespace with room for `room` running pods: later creates are refused over quota. */
function withQuota(w: World, room: number): World {
  w.refuse = (pod: V1Pod) => {
    const running = w.pods.filter((p) => !["Succeeded", "Failed"].includes(p.status?.phase ?? "")).length;
    return running >= room ? quotaMessage(pod.metadata?.name ?? "") : undefined;
  };
  return w;
}

/** main exits and its pod ends (Succeeded/Failed): the quota no longer counts it. */
const succeed = (w: World, nodeName: string): void => exit(w, nodeName, 0, { report: false });
const fail = (w: World, nodeName: string): void => exit(w, nodeName, 1, { report: false });

const podOfNode = (w: World, name: string): string => node(w, name).podName ?? "";

describe("reconcile: pods refused over quota wait, as in Argo", () => {
  it("when a step's pod is refused over quota, then the node stays Pending with the API's message and the pod is asked for again", () => {
    const w = withQuota(world(TWO_STEPS), 1);
    step(w);
    expect(podNames(w)).toHaveLength(1);
    const waiting = podOfNode(w, "wf[0].b");
    expect(w.podsAwaitingCreate).toEqual({ [waiting]: quotaMessage(waiting) });

    const second = step(w, 100);
    expect(node(w, "wf[0].b")).toMatchObject({ phase: "Pending", message: quotaMessage(waiting) });
    expect(createdPods(second).map((p) => p.metadata?.name)).toEqual([waiting]);
    expect(second.requeueAfterMs).toBe(1_000);
    expect(second.status.phase).toBe("Running");
  });

  it("when the quota frees, then the pod is created, its message cleared, and the workflow and handler finish", () => {
    const w = withQuota(world(TWO_STEPS), 1);
    step(w);
    step(w, 100);
    succeed(w, "wf[0].a");
    step(w);
    expect(podNames(w)).toHaveLength(2);
    step(w, 100);
    expect(node(w, "wf[0].b").message).toBeUndefined();
    expect(node(w, "wf[0].b").phase).toBe("Pending");
    succeed(w, "wf[0].b");
    step(w);
    succeed(w, "wf.onExit");
    const last = step(w);
    expect(last.status.phase).toBe("Succeeded");
    expect(w.podsAwaitingCreate).toEqual({});
    expect(events(w.actions)).toContain("ExitHandlerCompleted");
  });

  it("when the exit handler itself is over quota, then it waits too and runs once room is made", () => {
    const w = withQuota(world(TWO_STEPS), 2);
    step(w);
    w.pods.push({ metadata: { name: "someone-else" }, status: { phase: "Running" } });
    withQuota(w, 1);
    succeed(w, "wf[0].a");
    step(w);
    succeed(w, "wf[0].b");
    step(w);
    step(w, 100);
    expect(node(w, "wf.onExit")).toMatchObject({ phase: "Pending" });
    expect(node(w, "wf.onExit").message).toContain("exceeded quota");
    w.pods = w.pods.filter((p) => p.metadata?.name !== "someone-else");
    step(w, 1_000);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("when the coordinator restarted and forgot the refusal, then the node's recorded message keeps it waiting instead of 'pod deleted'", () => {
    const w = withQuota(world(TWO_STEPS), 1);
    step(w);
    step(w, 100);
    w.podsAwaitingCreate = {};
    w.refuse = (pod) => quotaMessage(pod.metadata?.name ?? "");
    const later = step(w, 60_000);
    expect(node(w, "wf[0].b")).toMatchObject({ phase: "Pending" });
    expect(node(w, "wf[0].b").message).toContain("exceeded quota");
    expect(createdPods(later)).toHaveLength(1);
    expect(later.requeueAfterMs).toBe(15_000);
  });

  it("when the workflow is stopped while a node waits for quota, then the node fails with the stop and the handler still runs", () => {
    const w = withQuota(world(TWO_STEPS), 1);
    step(w);
    step(w, 100);
    w.workflow.spec.shutdown = "Stop";
    fail(w, "wf[0].a");
    step(w);
    expect(node(w, "wf[0].b").phase).toBe("Failed");
    w.refuse = undefined;
    step(w);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Failed");
  });

  it("when the refusal is for good (not quota), then the node is Error as before", () => {
    const w = world(TWO_STEPS);
    w.refuse = (pod) =>
      pod.metadata?.name === podOfNodeName(w) ? "403: pods is forbidden: violates PodSecurity" : undefined;
    step(w);
    step(w, 100);
    expect(node(w, "wf[0].b")).toMatchObject({ phase: "Error" });
  });
});

function podOfNodeName(w: World): string | undefined {
  return w.workflow.status?.nodes === undefined
    ? undefined
    : Object.values(w.workflow.status.nodes).find((n) => n.displayName === "b")?.podName;
}

describe("createRetryDelayMs", () => {
  it("when a node has waited longer, then it asks less often, between 1 and 15 seconds", () => {
    expect([0, 2_000, 8_000, 40_000, 600_000].map(createRetryDelayMs)).toEqual([
      1_000, 1_000, 2_000, 10_000, 15_000,
    ]);
  });
});
