// A `wait` sidecar that gave up (sidecar/main.ts: exit 1, one line in its termination message):
// the step's result comes from main, the node and a Warning Event say why.
import { describe, expect, it } from "vitest";
import {
  createdPods,
  node,
  step,
  updatePod,
  world,
  type World,
  ONE_STEP_WITH_HANDLER,
} from "../testing/world.ts";

const WITH_OUTPUTS = `
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine}
    outputs:
      parameters:
      - {name: answer, valueFrom: {path: /tmp/answer}}
`;

function sidecarGaveUp(w: World, mainExitCode: number, reason: string): void {
  updatePod(w, "wf", (pod) => {
    const base = { image: "x", imageID: "", ready: false, restartCount: 0 };
    pod.status = {
      phase: "Failed",
      containerStatuses: [
        {
          ...base,
          name: "main",
          state: { terminated: { exitCode: mainExitCode, startedAt: w.now, finishedAt: w.now } },
        },
        { ...base, name: "wait", state: { terminated: { exitCode: 1, message: reason } } },
      ],
    };
  });
}

describe("reconcile: a sidecar that gave up", () => {
  it("when main exited 1 and the sidecar's watch was refused, then Failed naming both, a Warning Event, and the handler runs", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    sidecarGaveUp(w, 1, "pod watch refused: GET /v1/kube/... answered 403: not yours");
    const result = step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Failed",
      message: "Error (exit code 1); sidecar: pod watch refused: GET /v1/kube/... answered 403: not yours",
    });
    expect(result.actions).toContainEqual({
      kind: "event",
      type: "Warning",
      reason: "SidecarFailed",
      message: "Step wf (pod wf): sidecar: pod watch refused: GET /v1/kube/... answered 403: not yours",
    });
    expect(createdPods(result).map((p) => p.metadata?.name)).toEqual([expect.stringMatching(/^wf-bye-\d+$/)]);
  });

  it("when main exited 0 and declared no outputs, then it Succeeded with the sidecar's reason as message, once", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    sidecarGaveUp(w, 0, "report refused by the coordinator (HTTP 403)");
    step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Succeeded",
      message: "sidecar: report refused by the coordinator (HTTP 403)",
    });
    const again = step(w);
    expect(again.actions.filter((a) => a.kind === "event" && a.reason === "SidecarFailed")).toEqual([]);
  });

  it("when main exited 0 but its output parameters were never read, then Error naming the output and the reason", () => {
    const w = world(WITH_OUTPUTS);
    step(w);
    sidecarGaveUp(w, 0, "main's log refused: 404");
    const result = step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Error",
      message:
        "output parameter answer: /tmp/answer: no such file or directory (or not readable: see the wait container's log); sidecar: main's log refused: 404",
    });
    expect(result.status.phase).toBe("Error");
  });
});
