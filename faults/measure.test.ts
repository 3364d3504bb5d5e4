import { describe, expect, it } from "vitest";
import type { NodeStatus, Workflow } from "../coordinator/engine/index.ts";
import { countWorkflows, lastStepEndMs, type PodFacts } from "./measure.ts";
import { parseFaultsConfig, selected } from "./config.ts";
import { renderTable, type Row } from "./row.ts";
import { workflowRowOk } from "./run-fault.ts";

function node(name: string, fields: Partial<NodeStatus> = {}): NodeStatus {
  return { id: name, name, displayName: name, type: "Pod", templateName: "t", phase: "Succeeded", ...fields };
}

function workflow(name: string, phase: string | undefined, nodes: NodeStatus[]): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name },
    spec: { templates: [] },
    status: { ...(phase ? { phase } : {}), nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) },
  } as Workflow;
}

function handlerPod(wf: string, name: string, createdAt: string): PodFacts {
  return {
    name,
    labels: { "workflows.argoproj.io/workflow": wf, "workflows.argoproj.io/on-exit": "true" },
    phase: "Succeeded",
    createdAt,
  };
}

const steps = (wf: string): NodeStatus[] => [
  node(wf, { type: "Steps" }),
  node(`${wf}[0].first`, { finishedAt: "2026-12-05T10:00:03Z" }),
  node(`${wf}[1].second`, { finishedAt: "2026-12-05T10:00:05Z" }),
];

describe("countWorkflows", () => {
  it("when a workflow is final with one handler pod and node, then it counts as run exactly once", () => {
    const wf = workflow("a", "Succeeded", [
      ...steps("a"),
      node("a.onExit", { finishedAt: "2026-12-05T10:00:09Z" }),
    ]);
    const counts = countWorkflows([wf], [handlerPod("a", "a-handler", "2026-12-05T10:00:06Z")]);
    expect(counts).toMatchObject({
      workflows: 1,
      handlersRun: 1,
      exactlyOnce: 1,
      lost: 0,
      worstDelayMs: 1000,
    });
    expect(counts.problems).toEqual([]);
  });

  it("when the handler's pod exists twice, then it is not exactly once", () => {
    const wf = workflow("a", "Failed", [...steps("a"), node("a.onExit")]);
    const pods = [handlerPod("a", "x", "2026-12-05T10:00:06Z"), handlerPod("a", "y", "2026-12-05T10:00:07Z")];
    const counts = countWorkflows([wf], pods);
    expect(counts).toMatchObject({ handlersRun: 1, exactlyOnce: 0, lost: 0 });
    expect(counts.problems).toEqual(["a: 2 handler pods"]);
  });

  it("when a workflow is not final or has no handler, then it is lost", () => {
    const running = workflow("a", "Running", steps("a"));
    const noHandler = workflow("b", "Error", steps("b"));
    const counts = countWorkflows([running, noHandler], []);
    expect(counts).toMatchObject({
      workflows: 2,
      handlersRun: 0,
      exactlyOnce: 0,
      lost: 2,
      worstDelayMs: null,
    });
  });

  it("when pods of other workflows carry the on-exit label, then they are not counted", () => {
    const wf = workflow("a", "Succeeded", [...steps("a"), node("a.onExit")]);
    const counts = countWorkflows([wf], [handlerPod("b", "b-h", "2026-12-05T10:00:06Z")]);
    expect(counts.handlersRun).toBe(0);
  });

  it("when the steps ended at different times, then the last end counts and the handler is left out", () => {
    const wf = workflow("a", "Succeeded", [
      ...steps("a"),
      node("a.onExit", { finishedAt: "2026-12-05T11:00:00Z" }),
    ]);
    expect(lastStepEndMs(wf)).toBe(Date.parse("2026-12-05T10:00:05Z"));
  });
});

describe("rows", () => {
  const row: Row = {
    fault: "f",
    kind: "workflows",
    workflows: 3,
    handlersRun: 3,
    exactlyOnce: 3,
    lost: 0,
    stuck: 0,
    worstDelayMs: 2000,
    ok: true,
    problems: [],
  };

  it("when every handler ran once and nothing is lost or stuck, then the row is right", () => {
    expect(workflowRowOk(row)).toBe(true);
    expect(workflowRowOk({ ...row, exactlyOnce: 2 })).toBe(false);
    expect(workflowRowOk({ ...row, stuck: 1 })).toBe(false);
  });

  it("when rendered, then the table has the header and one line per row, n/a for what does not apply", () => {
    const table = renderTable([
      row,
      { ...row, fault: "input", kind: "input", handlersRun: null, worstDelayMs: null },
    ]);
    const lines = table.split("\n");
    expect(lines[0]).toMatch(
      /^\| fault +\| workflows \| handlers run \| exactly once \| lost \| stuck \| worst delay \| +ok \|$/,
    );
    expect(lines).toHaveLength(4);
    expect(lines[2]).toContain("2 s");
    expect(lines[3]).toContain("n/a");
  });
});

describe("parseFaultsConfig", () => {
  it("when nothing is set, then the documented defaults apply", () => {
    expect(parseFaultsConfig({})).toEqual({
      workflows: 10,
      load: 100,
      badInputs: 1000,
      only: [],
      timeoutMs: 240_000,
    });
  });

  it("when knobs are set, then they are used and FAULTS_ONLY selects by name fragment", () => {
    const config = parseFaultsConfig({
      FAULTS_WORKFLOWS: "3",
      FAULTS_LOAD: "x",
      FAULTS_ONLY: "sidecar, quota",
    });
    expect(config).toMatchObject({ workflows: 3, load: 100, only: ["sidecar", "quota"] });
    expect(selected(config, "wait sidecar SIGKILLed")).toBe(true);
    expect(selected(config, "main SIGKILLed")).toBe(false);
  });
});
