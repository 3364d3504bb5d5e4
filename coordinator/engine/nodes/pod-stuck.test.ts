import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { LABEL_ON_EXIT } from "../../../common/names.ts";
import {
  createdPods,
  kinds,
  node,
  podOf,
  running,
  step,
  updatePod,
  world,
  ONE_STEP_WITH_HANDLER,
} from "../testing/world.ts";
import { STUCK_GRACE_MS, stuckDecision } from "./pod-stuck.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");

/** `main` waiting for `reason`, as the kubelet reports it. */
function waitingMain(reason: string, message: string): V1ContainerStatus {
  return {
    name: "main",
    image: "x",
    imageID: "",
    ready: false,
    restartCount: 0,
    state: { waiting: { reason, message } },
  };
}

function waitingPod(reason: string, message = "", startTime: string | null = "2026-01-01T00:00:00Z"): V1Pod {
  return {
    metadata: { name: "p", creationTimestamp: new Date(T0 - 5000) },
    status: {
      phase: "Pending",
      ...(startTime === null ? {} : { startTime: new Date(startTime) }),
      containerStatuses: [
        { name: "wait", image: "x", imageID: "", ready: false, restartCount: 0, state: { running: {} } },
        waitingMain(reason, message),
      ],
    },
  };
}

describe("stuckDecision", () => {
  it("when no container waits for a reason only a user can fix, then the pod is not stuck", () => {
    expect(stuckDecision(waitingPod("ContainerCreating"), T0)).toBeUndefined();
    expect(stuckDecision({ status: { phase: "Pending" } }, T0)).toBeUndefined();
  });

  it("when main cannot start for a missing Secret, then the reason is named and a wake is asked for at the grace's end", () => {
    const pod = waitingPod("CreateContainerConfigError", 'secret "creds" not found');
    expect(stuckDecision(pod, T0 + 1000)).toEqual({
      kind: "waiting",
      message: 'pod cannot start: container main: CreateContainerConfigError: secret "creds" not found',
      wakeAfterMs: STUCK_GRACE_MS - 1000,
    });
  });

  it("when the grace has passed, then the decision is to fail, with how long it waited", () => {
    const decision = stuckDecision(
      waitingPod("ImagePullBackOff", "Back-off pulling image"),
      T0 + STUCK_GRACE_MS,
    );
    expect(decision).toEqual({
      kind: "fail",
      message: `pod cannot start: container main: ImagePullBackOff: Back-off pulling image (for ${STUCK_GRACE_MS / 1000} s)`,
    });
  });

  it("when the pod has no start time yet, then its creation counts", () => {
    const decision = stuckDecision(waitingPod("InvalidImageName", "", null), T0 + STUCK_GRACE_MS - 5000);
    expect(decision?.kind).toBe("fail");
  });

  it("when an init container is the stuck one, then it is named", () => {
    const pod: V1Pod = {
      status: {
        phase: "Pending",
        startTime: new Date(T0),
        initContainerStatuses: [
          {
            name: "onexit-init",
            image: "x",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "CreateContainerConfigError", message: "no key" } },
          },
        ],
      },
    };
    expect(stuckDecision(pod, T0)?.message).toContain(
      "container onexit-init: CreateContainerConfigError: no key",
    );
  });
});

function stuck(w: ReturnType<typeof world>, reason: string, message: string): void {
  updatePod(w, podOf(w, "wf").metadata?.name ?? "", (pod) => {
    pod.status = {
      phase: "Pending",
      startTime: new Date(w.now),
      containerStatuses: [waitingMain(reason, message)],
    };
  });
}

describe("reconcile: a step pod the kubelet cannot start", () => {
  it("when main waits for a missing Secret, then the node says why and the pass asks to be woken at the grace's end", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    stuck(w, "CreateContainerConfigError", 'secret "creds" not found');
    const result = step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Pending",
      message: 'pod cannot start: container main: CreateContainerConfigError: secret "creds" not found',
    });
    expect(result.requeueAfterMs).toBeLessThanOrEqual(STUCK_GRACE_MS);
    expect(result.requeueAfterMs).toBeGreaterThan(STUCK_GRACE_MS - 5000);
  });

  it("when it is still stuck past the grace, then the pod is deleted, the step ends in Error naming why and the handler starts", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    stuck(w, "ImagePullBackOff", 'Back-off pulling image "alpine:typo"');
    step(w);
    const result = step(w, STUCK_GRACE_MS);
    expect(node(w, "wf")).toMatchObject({ phase: "Error" });
    expect(node(w, "wf").message).toMatch(
      /^pod cannot start: container main: ImagePullBackOff: Back-off pulling image "alpine:typo" \(for \d+ s\)$/,
    );
    expect(kinds(result.actions)).toContain("deletePod");
    expect(createdPods(result).map((p) => p.metadata?.labels?.[LABEL_ON_EXIT])).toEqual(["true"]);
  });

  it("when the Secret comes within the grace and main runs, then the node's message is cleared", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    stuck(w, "CreateContainerConfigError", 'secret "creds" not found');
    step(w);
    running(w, "wf");
    step(w);
    expect(node(w, "wf").phase).toBe("Running");
    expect(node(w, "wf").message).toBeUndefined();
  });
});
