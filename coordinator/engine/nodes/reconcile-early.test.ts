import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANNOTATION_OUTPUTS } from "../../../common/names.ts";
import {
  createdPods,
  exit,
  kinds,
  node,
  podOf,
  step,
  updatePod,
  world,
  type World,
  ONE_STEP_WITH_HANDLER,
} from "../testing/world.ts";

const READS_RESULT = `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps:
    - - {name: first, template: echo}
    - - name: second
        template: echo
        when: "{{steps.first.outputs.result}} == hello"
  - {name: echo, container: {image: alpine}}
  - {name: bye, container: {image: alpine}}
`;

/** main has ended with `exitCode`; the `wait` sidecar still runs (its report is on its way). */
function mainEnded(w: World, nodeName: string, exitCode: number, change?: (pod: V1Pod) => void): void {
  updatePod(w, podOf(w, nodeName).metadata?.name ?? "", (pod) => {
    const base = { image: "x", imageID: "", ready: false, restartCount: 0 };
    const terminated = { exitCode, startedAt: w.now, finishedAt: w.now };
    pod.status = {
      phase: "Running",
      containerStatuses: [
        { ...base, name: "main", state: { terminated } },
        { ...base, name: "wait", state: { running: { startedAt: w.now } } },
      ],
    };
    change?.(pod);
  });
}

const labelled = (w: World): string[] =>
  w.actions.flatMap((a) => (a.kind === "labelPodCompleted" ? [a.name] : []));

describe("a step decided before its report", () => {
  it("when main ended 0 and nobody reads results, then the step is Succeeded and the handler starts before the report", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    mainEnded(w, "wf", 0);
    const result = step(w);
    expect(node(w, "wf")).toMatchObject({ phase: "Succeeded", outputs: { exitCode: "0" } });
    expect(node(w, "wf").logBytes).toBeUndefined();
    expect(createdPods(result).map((p) => p.metadata?.name)).toEqual([expect.stringMatching(/^wf-bye-\d+$/)]);
    expect(labelled(w)).toEqual([]);
  });

  it("when the handler ends before the step's report is in, then the workflow waits for it and then records it", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    mainEnded(w, "wf", 0);
    step(w);
    exit(w, "wf.onExit", 0);
    expect(step(w).status.phase).toBe("Running");
    expect(node(w, "wf.onExit").phase).toBe("Succeeded");
    exit(w, "wf", 0, { log: "hello\n" });
    const result = step(w);
    expect(result.status.phase).toBe("Succeeded");
    expect(node(w, "wf")).toMatchObject({
      phase: "Succeeded",
      outputs: { result: "hello", exitCode: "0" },
      logBytes: 6,
    });
    expect(labelled(w)).toEqual([expect.stringMatching(/^wf-bye-\d+$/), "wf"]);
    expect(kinds(result.actions)).toContain("removeFinalizer");
  });

  it("when the sidecar ends without a report, then the workflow finishes with main's result", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    mainEnded(w, "wf", 0);
    step(w);
    exit(w, "wf.onExit", 0);
    step(w);
    updatePod(w, "wf", (pod) => {
      pod.status = { ...pod.status, phase: "Succeeded" };
    });
    expect(step(w).status.phase).toBe("Succeeded");
    expect(node(w, "wf").outputs?.result).toBeUndefined();
    expect(labelled(w)).toContain("wf");
  });

  it("when the sidecar gives up instead of reporting, then the step says why, as any step whose sidecar gave up", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    mainEnded(w, "wf", 0);
    step(w);
    updatePod(w, "wf", (pod) => {
      const wait = pod.status?.containerStatuses?.find((c) => c.name === "wait");
      if (wait !== undefined)
        wait.state = { terminated: { exitCode: 1, message: "report refused by the coordinator (HTTP 403)" } };
    });
    const result = step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Succeeded",
      message: "sidecar: report refused by the coordinator (HTTP 403)",
    });
    expect(result.actions.filter((a) => a.kind === "event" && a.reason === "SidecarFailed")).toHaveLength(1);
  });

  it("when a later step reads a result, then a step whose main ended waits for its report", () => {
    const w = world(READS_RESULT);
    step(w);
    mainEnded(w, "wf[0].first", 0);
    step(w);
    expect(node(w, "wf[0].first").phase).toBe("Running");
    exit(w, "wf[0].first", 0, { log: "hello\n" });
    step(w);
    expect(node(w, "wf[0].first")).toMatchObject({ phase: "Succeeded", outputs: { result: "hello" } });
  });

  it("when the pod declares output files, or main failed, then the step waits for its report", () => {
    const declared = world(ONE_STEP_WITH_HANDLER);
    step(declared);
    mainEnded(declared, "wf", 0, (pod) => {
      pod.metadata = {
        ...pod.metadata,
        annotations: { ...pod.metadata?.annotations, [ANNOTATION_OUTPUTS]: "[]" },
      };
    });
    step(declared);
    expect(node(declared, "wf").phase).toBe("Running");
    const failed = world(ONE_STEP_WITH_HANDLER);
    step(failed);
    mainEnded(failed, "wf", 1);
    step(failed);
    expect(node(failed, "wf").phase).toBe("Running");
  });

  it("when the workflow is stopped while a decided step's sidecar reports, then its pod is not deleted as a stray", () => {
    const w = world(ONE_STEP_WITH_HANDLER);
    step(w);
    mainEnded(w, "wf", 0);
    step(w);
    w.workflow.spec.shutdown = "Stop";
    const result = step(w);
    expect(result.actions.filter((a) => a.kind === "deletePod" && a.name === "wf")).toEqual([]);
  });
});
