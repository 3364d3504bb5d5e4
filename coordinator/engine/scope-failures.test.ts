import { describe, expect, it } from "vitest";
import { podName } from "../../common/names.ts";
import type { NodeStatus } from "./workflow.ts";
import { failures } from "./scope.ts";
import { node } from "./testing/scope-fixtures.ts";

describe("failures", () => {
  it("when nothing failed, then the list is empty", () => {
    expect(failures({})).toEqual([]);
    expect(failures({ a: node({ id: "a", name: "wf[0].a" }) })).toEqual([]);
  });

  it("when the seed's single pod failed, then it is listed in Argo's shape and field order", () => {
    const nodes = {
      "exit-handler-zx78p": node({
        id: "exit-handler-zx78p",
        name: "exit-handler-zx78p",
        templateName: "step1",
        phase: "Failed",
        message: "Error (exit code 1)",
        finishedAt: "2024-03-05T14:07:19Z",
      }),
    };
    const listed = failures(nodes, "exit-handler-zx78p");
    expect(listed).toEqual([
      {
        displayName: "exit-handler-zx78p",
        message: "Error (exit code 1)",
        templateName: "step1",
        phase: "Failed",
        podName: "exit-handler-zx78p",
        finishedAt: "2024-03-05T14:07:19Z",
      },
    ]);
    expect(Object.keys(listed[0] ?? {})).toEqual([
      "displayName",
      "message",
      "templateName",
      "phase",
      "podName",
      "finishedAt",
    ]);
  });

  it.each<[NodeStatus["phase"], boolean]>([
    ["Pending", false],
    ["Running", false],
    ["Succeeded", false],
    ["Skipped", false],
    ["Omitted", false],
    ["Failed", true],
    ["Error", true],
  ])("when a node is %s, then listed is %s", (phase, listed) => {
    expect(failures({ a: node({ id: "a", name: "wf.a", phase }) })).toHaveLength(listed ? 1 : 0);
  });

  it("when non-pod nodes failed too, then they are listed as Argo lists every failed node", () => {
    const nodes = {
      wf: node({
        id: "wf",
        name: "wf",
        type: "Steps",
        templateName: "main",
        phase: "Failed",
        finishedAt: "2024-01-01T00:00:03Z",
      }),
      g: node({
        id: "g",
        name: "wf[0]",
        type: "StepGroup",
        templateName: "main",
        phase: "Failed",
        finishedAt: "2024-01-01T00:00:02Z",
      }),
      p: node({
        id: "p",
        name: "wf[0].a",
        displayName: "a",
        phase: "Failed",
        finishedAt: "2024-01-01T00:00:01Z",
      }),
    };
    expect(failures(nodes).map((f) => f.displayName)).toEqual(["a", "wf[0]", "wf"]);
  });

  it("when nodes finished at different times, then they are ordered by finish time, unfinished last, ties in node order", () => {
    const nodes = {
      late: node({ id: "late", name: "late", phase: "Error", finishedAt: "2024-01-01T00:00:09Z" }),
      open: node({ id: "open", name: "open", phase: "Failed" }),
      tieB: node({ id: "tieB", name: "tieB", phase: "Failed", finishedAt: "2024-01-01T00:00:05Z" }),
      tieA: node({ id: "tieA", name: "tieA", phase: "Failed", finishedAt: "2024-01-01T00:00:05Z" }),
      early: node({ id: "early", name: "early", phase: "Failed", finishedAt: "2024-01-01T00:00:01Z" }),
    };
    expect(failures(nodes).map((f) => f.displayName)).toEqual(["early", "tieB", "tieA", "late", "open"]);
  });

  it.each([
    ["a recorded pod name", { podName: "recorded-pod" }, "wf", "recorded-pod"],
    ["no recorded pod name but the workflow name", {}, "wf", podName("wf", "wf[0].a", "step")],
    ["neither", {}, undefined, ""],
  ])("when the node has %s, then podName follows", (_case, extra, workflowName, expected) => {
    const nodes = { a: node({ id: "a", name: "wf[0].a", phase: "Failed", ...extra }) };
    expect(failures(nodes, workflowName)[0]?.podName).toBe(expected);
  });

  it("when message and finishedAt are missing, then they are empty strings", () => {
    const [failure] = failures({ a: node({ id: "a", name: "a", phase: "Error" }) });
    expect(failure?.message).toBe("");
    expect(failure?.finishedAt).toBe("");
  });

  it("when finishedAt has fractional seconds, then it is RFC3339 at second precision", () => {
    const [failure] = failures({
      a: node({ id: "a", name: "a", phase: "Error", finishedAt: "2024-01-01T00:00:05.123Z" }),
    });
    expect(failure?.finishedAt).toBe("2024-01-01T00:00:05Z");
  });
});
