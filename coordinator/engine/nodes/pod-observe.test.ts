import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { observePod } from "./pod-observe.ts";
import { reportFor, START } from "../testing/world.ts";

type State = V1ContainerStatus["state"];

function container(name: string, state: State): V1ContainerStatus {
  return { name, image: "x", imageID: "", ready: false, restartCount: 0, state };
}

const terminated = (exitCode: number): State => ({
  terminated: { exitCode, startedAt: START, finishedAt: START },
});
const runningState: State = { running: { startedAt: START } };

function pod(phase: string | undefined, statuses: V1ContainerStatus[], report?: string): V1Pod {
  return {
    metadata: { name: "p", annotations: report === undefined ? {} : { "onexit.dev/report": report } },
    spec: { containers: [], nodeName: "n1" },
    status: { phase, containerStatuses: statuses },
  };
}

const reportJson = (exitCode: number, log = "", logBytes?: number): string =>
  JSON.stringify(reportFor(pod("Running", []), exitCode, START, { log, logBytes, outputs: { o: "v" } }));

const cases: { name: string; pod: V1Pod; expected: object }[] = [
  {
    name: "the report says exit 0",
    pod: pod("Running", [container("main", terminated(0))], reportJson(0, "hi\n")),
    expected: {
      state: "done",
      phase: "Succeeded",
      exitCode: 0,
      result: "hi",
      outputs: { o: "v" },
      logBytes: 3,
    },
  },
  {
    name: "the report says exit 3 while main's status says 0",
    pod: pod("Succeeded", [container("main", terminated(0))], reportJson(3)),
    expected: { state: "done", phase: "Failed", message: "Error (exit code 3)", exitCode: 3 },
  },
  {
    name: "the report's tail is not the whole log",
    pod: pod("Running", [], reportJson(0, "tail\n", 10_000)),
    expected: { state: "done", phase: "Succeeded", result: undefined, logBytes: 10_000 },
  },
  {
    name: "the report annotation is corrupt and main exited 1 in a pod without sidecar",
    pod: pod("Failed", [container("main", terminated(1))], "{not json"),
    expected: { state: "done", phase: "Failed", message: "Error (exit code 1)", report: undefined },
  },
  {
    name: "main exited 1 and the sidecar gave up with a reason",
    pod: pod("Failed", [
      container("main", terminated(1)),
      container("wait", { terminated: { exitCode: 1, message: "pod watch refused: 403 forbidden\n" } }),
    ]),
    expected: {
      state: "done",
      phase: "Failed",
      message: "Error (exit code 1); sidecar: pod watch refused: 403 forbidden",
      exitCode: 1,
      sidecarFailure: "pod watch refused: 403 forbidden",
    },
  },
  {
    name: "main exited 0 and the sidecar gave up with a reason",
    pod: pod("Failed", [
      container("main", terminated(0)),
      container("wait", {
        terminated: { exitCode: 1, message: "report refused by the coordinator (HTTP 403)" },
      }),
    ]),
    expected: {
      state: "done",
      phase: "Succeeded",
      message: "sidecar: report refused by the coordinator (HTTP 403)",
      exitCode: 0,
    },
  },
  {
    name: "main exited 2 and the sidecar was killed (no message)",
    pod: pod("Failed", [
      container("main", terminated(2)),
      container("wait", { terminated: { exitCode: 137, reason: "Error" } }),
    ]),
    expected: { state: "done", phase: "Failed", message: "Error (exit code 2)", sidecarFailure: undefined },
  },
  {
    name: "the sidecar gave up while main still runs",
    pod: pod("Running", [
      container("main", runningState),
      container("wait", { terminated: { exitCode: 1, message: "main's log refused: 404" } }),
    ]),
    expected: { state: "running", hostNodeName: "n1" },
  },
  {
    name: "main exited 1 and the sidecar is still running",
    pod: pod("Running", [container("main", terminated(1)), container("wait", runningState)]),
    expected: { state: "running", hostNodeName: "n1" },
  },
  {
    name: "main exited 1 and the sidecar ended without a report",
    pod: pod("Failed", [container("main", terminated(1)), container("wait", terminated(0))]),
    expected: {
      state: "done",
      phase: "Failed",
      message: "Error (exit code 1)",
      finishedAt: START.toISOString(),
    },
  },
  {
    name: "main exited 0 with no sidecar injected",
    pod: pod("Succeeded", [container("main", terminated(0))]),
    expected: { state: "done", phase: "Succeeded", message: undefined, exitCode: 0 },
  },
  {
    name: "the pod was evicted before main ran",
    pod: { ...pod("Failed", []), status: { phase: "Failed", reason: "Evicted", message: "low memory" } },
    expected: { state: "done", phase: "Error", message: "Evicted: low memory" },
  },
  {
    name: "the pod is pending",
    pod: pod("Pending", [container("main", { waiting: { reason: "ContainerCreating" } })]),
    expected: { state: "pending" },
  },
  {
    name: "main is running",
    pod: pod("Running", [container("main", runningState), container("wait", runningState)]),
    expected: { state: "running", hostNodeName: "n1" },
  },
  {
    name: "the pod runs but main waits",
    pod: pod("Running", [container("main", { waiting: { reason: "CrashLoop" } })]),
    expected: { state: "pending" },
  },
];

describe("observePod", () => {
  for (const c of cases) {
    it(`when ${c.name}, then the step is ${JSON.stringify(c.expected)}`, () => {
      expect(observePod(c.pod)).toMatchObject(c.expected);
    });
  }
});

describe("observePod early (main ended, report on its way)", () => {
  const reporting = (exitCode: number, annotations: Record<string, string> = {}): V1Pod => {
    const p = pod("Running", [container("main", terminated(exitCode)), container("wait", runningState)]);
    p.metadata = { ...p.metadata, annotations };
    return p;
  };

  it("when main ended 0 and the pod declares nothing else to read, then the step is done before its report", () => {
    expect(observePod(reporting(0), true)).toMatchObject({
      state: "done",
      phase: "Succeeded",
      exitCode: 0,
      report: undefined,
      reportAwaited: true,
    });
    expect(observePod(reporting(0))).toMatchObject({ state: "running" });
  });

  it("when main failed, or the pod declares output files or artifacts, then the report is waited for", () => {
    expect(observePod(reporting(2), true)).toMatchObject({ state: "running" });
    expect(observePod(reporting(0, { "onexit.dev/outputs": "[]" }), true)).toMatchObject({
      state: "running",
    });
    expect(observePod(reporting(0, { "onexit.dev/artifact-plan": "{}" }), true)).toMatchObject({
      state: "running",
    });
  });
});
