import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podName } from "../../common/names.ts";
import { logTailsConfigMapNames } from "./log-tails.ts";
import {
  createdPods,
  events,
  exit,
  fail,
  node,
  podNames,
  podOf,
  step,
  succeed,
  world,
} from "./testing/world.ts";
import type { World } from "./testing/world.ts";

const WORKFLOW = `
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - { name: real, template: work }
      - { name: forged, template: work }
  - name: work
    container: { image: alpine:latest, command: [sh, -c], args: ["echo real log; exit 1"] }
  - name: handler
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo {{workflow.failures}} {{onexit.logFiles}}"]
`;

const FORGED_POD = podName("wf", "wf[0].forged", "work");
const foreignPod = { kind: "Pod" as const, name: FORGED_POD };

function handlerArgs(pod: V1Pod | undefined): string {
  return pod?.spec?.containers[0]?.args?.[0] ?? "";
}

function logsVolume(pod: V1Pod | undefined): string | undefined {
  return pod?.spec?.volumes?.find((v) => v.name === "onexit-logs")?.configMap?.name;
}

/** Both steps end: `real` fails with its log, and the handler is asked for. */
function mainEnds(w: World): void {
  exit(w, "wf[0].real", 1, { log: "real log\n" });
  step(w);
}

describe("reconcile: objects under the workflow's names that it does not own", () => {
  it("when someone else's pod holds a step's name before it starts, then the node errs naming it, nothing is created for it, and the handler is told", () => {
    const w = world(WORKFLOW);
    w.foreign = [foreignPod];
    const first = step(w);
    expect(createdPods(first).map((p) => p.metadata?.name)).not.toContain(FORGED_POD);
    expect(node(w, "wf[0].forged")).toMatchObject({ phase: "Error", podName: FORGED_POD });
    expect(node(w, "wf[0].forged").message).toContain(
      `pod default/${FORGED_POD} exists and is not owned by this workflow`,
    );
    expect(node(w, "wf[0].forged").message).toContain(`kubectl -n default delete pod ${FORGED_POD}`);
    expect(events(first.actions)).toContain("ForeignPod");

    mainEnds(w);
    const handler = podOf(w, "wf.onExit");
    expect(handlerArgs(handler)).toContain(`exists and is not owned by this workflow`);
    succeed(w, "wf.onExit");
    const last = step(w);
    expect(last.status.phase).toBe("Failed");
    expect(last.actions.filter((a) => a.kind === "deletePod")).toEqual([]);
  });

  it("when the foreign pod is found only after the node asked for it (AlreadyExists, or after a restart), then the node errs instead of adopting it", () => {
    const w = world(WORKFLOW);
    step(w);
    w.pods = w.pods.filter((p) => p.metadata?.name !== FORGED_POD);
    w.foreign = [{ ...foreignPod, controller: "Workflow wf, uid old" }];
    const second = step(w, 100);
    expect(node(w, "wf[0].forged").phase).toBe("Error");
    expect(node(w, "wf[0].forged").message).toContain("(it belongs to Workflow wf, uid old)");
    expect(createdPods(second)).toEqual([]);
  });

  it("when a retried step's attempt meets a foreign pod, then that attempt errs and the next one, under its own name, runs", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: { limit: 1, retryPolicy: Always }
    container: { image: alpine:latest, command: [sh, -c], args: ["exit 0"] }
`);
    step(w);
    const first = podName("wf", "wf(0)", "main");
    w.pods = [];
    w.foreign = [{ kind: "Pod", name: first }];
    const second = step(w);
    expect(node(w, "wf(0)").phase).toBe("Error");
    expect(createdPods(second).map((p) => p.metadata?.name)).toEqual([podName("wf", "wf(1)", "main")]);
    succeed(w, "wf(1)");
    expect(step(w).status.phase).toBe("Succeeded");
  });

  it("when the log tails ConfigMap's name is someone else's, then the handler's pod waits a pass and mounts the real tails under the uid-derived name", () => {
    const w = world(WORKFLOW);
    const [usual, second] = logTailsConfigMapNames(w.workflow);
    w.foreign = [{ kind: "ConfigMap", name: usual }];
    step(w);
    exit(w, "wf[0].forged", 1);
    mainEnds(w);
    expect(podNames(w).some((p) => p.startsWith("wf-handler"))).toBe(false);
    const handlerPod = node(w, "wf.onExit").podName ?? "";
    expect(w.podsAwaitingCreate[handlerPod]).toContain(`ConfigMap ${usual} is not owned by this workflow`);

    const retried = step(w, 100);
    expect(node(w, "wf.onExit")).toMatchObject({ phase: "Pending" });
    expect(logsVolume(podOf(w, "wf.onExit"))).toBe(second);
    expect(w.configMaps[second]?.data?.[`${node(w, "wf[0].real").podName}.log`]).toBe("real log\n");
    expect(w.configMaps[usual]).toBeUndefined();
    const note = retried.actions.find((a) => a.kind === "event" && a.reason === "ExitHandlerLogs");
    expect(note).toMatchObject({ type: "Warning" });
    expect(note?.kind === "event" ? note.message : "").toContain(
      `kubectl -n default delete configmap ${usual}`,
    );
    step(w);
    expect(node(w, "wf.onExit").message).toBeUndefined();
  });

  it("when both names are someone else's, then the handler runs without log tails and is told there are none", () => {
    const w = world(WORKFLOW);
    w.foreign = logTailsConfigMapNames(w.workflow).map((name) => ({ kind: "ConfigMap" as const, name }));
    step(w);
    fail(w, "wf[0].forged");
    mainEnds(w);
    step(w, 100);
    step(w, 100);
    const handler = podOf(w, "wf.onExit");
    expect(logsVolume(handler)).toBeUndefined();
    expect(handlerArgs(handler)).toMatch(/ \[\]$/);
    expect(Object.keys(w.configMaps)).toEqual([]);
  });

  it("when the namespace is being deleted, then the handler that cannot be created errs, the workflow ends naming why, and the finalizer goes", () => {
    const w = world(WORKFLOW);
    step(w);
    const terminating = (name: string): string =>
      `403: ${name} is forbidden: unable to create new content in namespace default because it is being terminated`;
    w.workflow.metadata.deletionTimestamp = new Date(w.now.getTime() + 500).toISOString();
    w.refuse = (pod) => terminating(`pods "${pod.metadata?.name}"`);
    w.refuseConfigMap = (cm) => terminating(`configmaps "${cm.metadata?.name}"`);
    w.pods = [];
    let last = step(w, 1000);
    for (let i = 0; i < 5 && last.status.phase === "Running"; i++) last = step(w, 100);
    expect(node(w, "wf.onExit").phase).toBe("Error");
    expect(node(w, "wf.onExit").message).toContain("because it is being terminated");
    expect(last.status.phase).toBe("Failed");
    expect(last.status.message).toContain("exit handler errored: pod could not be created: 403");
    expect(events(w.actions)).toContain("ExitHandlerFailed");
    expect(w.workflow.metadata.finalizers).toEqual([]);
  });

  it("when a pod's create waits on something that may pass (a webhook down), then the node is Pending naming it, asked again, and the message goes once the pod exists", () => {
    const w = world(WORKFLOW);
    const webhook = `500: Internal error occurred: failed calling webhook "inject.onexit.dev": connection refused`;
    w.delay = () => webhook;
    step(w);
    const waiting = step(w, 100);
    expect(node(w, "wf[0].real")).toMatchObject({ phase: "Pending", message: webhook });
    expect(waiting.status.message).toBe(`forged: ${webhook}`);
    expect(createdPods(waiting)).toHaveLength(2);
    expect(waiting.requeueAfterMs).toBe(1_000);
    w.delay = undefined;
    step(w, 1_000);
    step(w, 100);
    expect(node(w, "wf[0].real").message).toBeUndefined();
    expect(podNames(w)).toHaveLength(2);
    expect(w.workflow.status?.message).toBeUndefined();
  });
});
