import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createdPods, events, node, podNames, step, succeed, world } from "../testing/world.ts";

const REFUSAL =
  "400: Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const WORKFLOW = (handlerCpu = "100m"): string => `
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo hi"]
      resources: { limits: { cpu: lots } }
  - name: handler
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo {{workflow.status}}"]
      resources: { limits: { cpu: ${handlerCpu} } }
`;

/** The API server's answer to a CPU limit that is not a quantity. */
const badQuantity = (pod: V1Pod): string | undefined =>
  pod.spec?.containers.some((c) => c.resources?.limits?.cpu === "lots") === true ? REFUSAL : undefined;

describe("reconcile: pods the API server refuses to create", () => {
  it("when the step's pod is refused, then the node is Error naming the API's message, the workflow Error, and the handler runs", () => {
    const w = { ...world(WORKFLOW()), refuse: badQuantity };
    const first = step(w);
    expect(first.status.phase).toBe("Running");
    expect(podNames(w)).toEqual([]);
    expect(w.podCreateFailures).toEqual({ wf: REFUSAL });

    const second = step(w, 100);
    expect(node(w, "wf")).toMatchObject({
      phase: "Error",
      message: `pod could not be created: ${REFUSAL}`,
      podName: "wf",
    });
    const handler = createdPods(second);
    expect(handler.map((p) => p.spec?.containers[0]?.args)).toEqual([["echo Error"]]);
    expect(second.status.phase).toBe("Running");
    expect(second.requeueAfterMs).toBeUndefined();

    succeed(w, "wf.onExit");
    const third = step(w);
    expect(third.status).toMatchObject({ phase: "Error", message: `pod could not be created: ${REFUSAL}` });
    expect(events(w.actions)).toEqual([
      "WorkflowRunning",
      "ExitHandlerStarted",
      "ExitHandlerCompleted",
      "WorkflowError",
    ]);
  });

  it("when the handler's own pod is refused too, then the handler node is Error and the workflow still completes", () => {
    const w = { ...world(WORKFLOW("lots")), refuse: badQuantity };
    step(w);
    step(w);
    const third = step(w);
    expect(node(w, "wf.onExit")).toMatchObject({
      phase: "Error",
      message: `pod could not be created: ${REFUSAL}`,
    });
    const refused = `pod could not be created: ${REFUSAL}`;
    expect(third.status).toMatchObject({
      phase: "Error",
      message: `${refused}; exit handler errored: ${refused}`,
    });
    expect(third.status.finishedAt).toBeDefined();
    expect(podNames(w)).toEqual([]);
    expect(step(w).actions.filter((a) => a.kind !== "removeFinalizer")).toEqual([]);
  });

  it("when the refusal is known before the status names the node, then the node is Error at once and no pod is asked for again", () => {
    const w = { ...world(WORKFLOW()), podCreateFailures: { wf: REFUSAL } };
    const first = step(w);
    expect(node(w, "wf")).toMatchObject({ phase: "Error", message: `pod could not be created: ${REFUSAL}` });
    expect(createdPods(first).map((p) => p.metadata?.labels?.["workflows.argoproj.io/on-exit"])).toEqual([
      "true",
    ]);
  });

  it("when the refusal is forgotten after the node ended, then the node stays Error", () => {
    const w = { ...world(WORKFLOW()), refuse: badQuantity };
    step(w);
    step(w);
    w.podCreateFailures = {};
    step(w, 60_000);
    expect(node(w, "wf")).toMatchObject({ phase: "Error", message: `pod could not be created: ${REFUSAL}` });
  });

  it("when a missing pod is not among the refusals, then the vanish grace still applies", () => {
    const w = { ...world(WORKFLOW()), refuse: badQuantity };
    step(w);
    w.podCreateFailures = { "some-other-pod": "403: forbidden" };
    const second = step(w, 100);
    expect(node(w, "wf").phase).toBe("Pending");
    expect(second.requeueAfterMs).toBe(9_900);
  });
});
