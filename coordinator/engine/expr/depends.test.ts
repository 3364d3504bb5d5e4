import { describe, expect, it } from "vitest";
import type { NodePhase } from "../workflow.ts";
import {
  dependsFromDependencies,
  dependsTasks,
  evaluateDepends,
  parseDepends,
  type DependsExpr,
} from "./depends.ts";

function parsed(expression: string): DependsExpr {
  const result = parseDepends(expression);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function evaluate(expression: string, phases: Record<string, NodePhase>): boolean {
  return evaluateDepends(parsed(expression), phases);
}

const PHASES: NodePhase[] = ["Succeeded", "Failed", "Error", "Skipped", "Omitted"];

describe("parseDepends", () => {
  it.each<[string, DependsExpr]>([
    ["A", { kind: "task", task: "A", result: undefined }],
    ["A.Succeeded", { kind: "task", task: "A", result: "Succeeded" }],
    ["task-1_b.Failed", { kind: "task", task: "task-1_b", result: "Failed" }],
    ["1st", { kind: "task", task: "1st", result: undefined }],
    ["!A.Errored", { kind: "not", operand: { kind: "task", task: "A", result: "Errored" } }],
    [
      "A || B && C",
      {
        kind: "or",
        left: { kind: "task", task: "A", result: undefined },
        right: {
          kind: "and",
          left: { kind: "task", task: "B", result: undefined },
          right: { kind: "task", task: "C", result: undefined },
        },
      },
    ],
    [
      "(A || B) && C",
      {
        kind: "and",
        left: {
          kind: "or",
          left: { kind: "task", task: "A", result: undefined },
          right: { kind: "task", task: "B", result: undefined },
        },
        right: { kind: "task", task: "C", result: undefined },
      },
    ],
    [
      "!A && B",
      {
        kind: "and",
        left: { kind: "not", operand: { kind: "task", task: "A", result: undefined } },
        right: { kind: "task", task: "B", result: undefined },
      },
    ],
    [
      "!(A && B)",
      {
        kind: "not",
        operand: {
          kind: "and",
          left: { kind: "task", task: "A", result: undefined },
          right: { kind: "task", task: "B", result: undefined },
        },
      },
    ],
    [
      "A && B && C",
      {
        kind: "and",
        left: {
          kind: "and",
          left: { kind: "task", task: "A", result: undefined },
          right: { kind: "task", task: "B", result: undefined },
        },
        right: { kind: "task", task: "C", result: undefined },
      },
    ],
    ["  (\n A.Skipped\t)  ", { kind: "task", task: "A", result: "Skipped" }],
    ["", { kind: "none" }],
    ["   ", { kind: "none" }],
  ])("when the expression is %j, then it parses to the expected tree", (expression, expected) => {
    expect(parseDepends(expression)).toEqual({ ok: true, value: expected });
  });

  it.each(["Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"])(
    "when the result is %s, then it is accepted",
    (result) => {
      expect(parseDepends(`A.${result}`).ok).toBe(true);
    },
  );

  it.each([
    ["A.Foo", "task result 'Foo' for task 'A' is invalid"],
    ["A.succeeded", "task result 'succeeded' for task 'A' is invalid"],
    ["A.Error", "task result 'Error' for task 'A' is invalid"],
    ["A.", "unexpected '.'"],
    ["A.Succeeded.Failed", "unexpected '.'"],
    ["A &&", "unexpected end of expression"],
    ["&& A", "unexpected '&&'"],
    ["A B", "unexpected 'B' after a complete expression"],
    ["A & B", "unexpected '&'"],
    ["A | B", "unexpected '|'"],
    ["(A", "unbalanced parenthesis"],
    ["A)", "unexpected ')' after a complete expression"],
    ["()", "unexpected ')'"],
    ["!", "unexpected end of expression"],
    ["A == B", "unexpected '='"],
    ["A.Succeeded || B.Failed ||", "unexpected end of expression"],
  ])("when the expression is %j, then it is an error quoting it", (expression, detail) => {
    expect(parseDepends(expression)).toEqual({
      ok: false,
      error: `invalid depends expression '${expression}': ${detail}`,
    });
  });
});

describe("dependsFromDependencies", () => {
  it.each([
    [[], ""],
    [["A"], "A"],
    [["A", "B"], "A && B"],
    [["a-1", "b_2", "c"], "a-1 && b_2 && c"],
  ])("when dependencies are %j, then the expression is %j", (dependencies, expected) => {
    expect(dependsFromDependencies(dependencies)).toBe(expected);
  });

  it("when the dependencies are converted, then A && B holds only when both succeed or are skipped", () => {
    const expr = parsed(dependsFromDependencies(["A", "B"]));
    expect(evaluateDepends(expr, { A: "Succeeded", B: "Skipped" })).toBe(true);
    expect(evaluateDepends(expr, { A: "Succeeded", B: "Failed" })).toBe(false);
  });

  it("when there are no dependencies, then the expression is always satisfied", () => {
    expect(evaluateDepends(parsed(dependsFromDependencies([])), {})).toBe(true);
  });
});

describe("dependsTasks", () => {
  it.each([
    ["A", ["A"]],
    ["A.Succeeded && B.Failed", ["A", "B"]],
    ["(A || B.Failed) && !C && A.Skipped", ["A", "B", "C"]],
    ["task-1 || task_2", ["task-1", "task_2"]],
    ["", []],
  ])("when the expression is %j, then it references %j", (expression, expected) => {
    expect(dependsTasks(parsed(expression))).toEqual(expected);
  });
});

describe("evaluateDepends", () => {
  const table: [string, NodePhase, boolean][] = [];
  const expectations: Record<string, NodePhase[]> = {
    "A.Succeeded": ["Succeeded"],
    "A.Failed": ["Failed"],
    "A.Errored": ["Error"],
    "A.Skipped": ["Skipped"],
    "A.Omitted": ["Omitted"],
    "A.Daemoned": [],
    "A.AnySucceeded": ["Succeeded"],
    "A.AllFailed": ["Failed"],
    A: ["Succeeded", "Skipped"],
    "!A": ["Failed", "Error", "Omitted"],
    "!A.Succeeded": ["Failed", "Error", "Skipped", "Omitted"],
    "A.Failed || A.Errored": ["Failed", "Error"],
  };
  for (const [expression, truePhases] of Object.entries(expectations)) {
    for (const phase of PHASES) table.push([expression, phase, truePhases.includes(phase)]);
  }

  it.each(table)("when %s is evaluated with A %s, then it is %s", (expression, phase, expected) => {
    expect(evaluate(expression, { A: phase })).toBe(expected);
  });

  it.each<[string, Record<string, NodePhase>, boolean]>([
    ["A.Succeeded || B.Succeeded && C.Succeeded", { A: "Succeeded", B: "Failed", C: "Failed" }, true],
    ["(A.Succeeded || B.Succeeded) && C.Succeeded", { A: "Succeeded", B: "Failed", C: "Failed" }, false],
    ["A && B.Failed", { A: "Succeeded", B: "Failed" }, true],
    ["A && B.Failed", { A: "Failed", B: "Failed" }, false],
    ["!A.Failed && !B.Failed", { A: "Succeeded", B: "Skipped" }, true],
    ["!(A.Failed || B.Failed)", { A: "Succeeded", B: "Failed" }, false],
    ["task-1.Succeeded && task_2", { "task-1": "Succeeded", task_2: "Skipped" }, true],
    // The diamond of Argo's docs: D runs when B succeeded or C failed.
    ["B.Succeeded || C.Failed", { B: "Failed", C: "Failed" }, true],
    ["B.Succeeded || C.Failed", { B: "Failed", C: "Succeeded" }, false],
  ])("when %s is evaluated with %j, then it is %s", (expression, phases, expected) => {
    expect(evaluate(expression, phases)).toBe(expected);
  });

  it("when a referenced task has no phase, then none of its results hold", () => {
    expect(evaluate("A", {})).toBe(false);
    expect(evaluate("!A.Succeeded", {})).toBe(true);
  });

  it.each<[string, { failed?: boolean; error?: boolean } | undefined, NodePhase, boolean]>([
    ["A", { failed: true }, "Failed", true],
    ["A", { failed: true }, "Error", false],
    ["A", { error: true }, "Error", true],
    ["A", { error: true }, "Failed", false],
    ["A", { failed: true, error: true }, "Error", true],
    ["A", undefined, "Failed", false],
    // continueOn widens only a bare reference, as Argo's expandDependency does.
    ["A.Succeeded", { failed: true }, "Failed", false],
  ])("when %s has continueOn %j and A is %s, then it is %s", (expression, continueOn, phase, expected) => {
    expect(evaluateDepends(parsed(expression), { A: phase }, { A: continueOn })).toBe(expected);
  });
});

describe("parseDepends limits", () => {
  it.each([
    ["64 nested parentheses", `${"(".repeat(64)}A${")".repeat(64)}`, true],
    ["65 nested parentheses", `${"(".repeat(65)}A${")".repeat(65)}`, false],
    ["65 negations", `${"!".repeat(65)}A`, false],
    ["a chain of 400 tasks", Array.from({ length: 400 }, (_, i) => `t${i}`).join(" && "), true],
    ["more than 1000 tokens", Array.from({ length: 600 }, (_, i) => `t${i}`).join(" || "), false],
    ["a hostile depth", `${"(".repeat(100_000)}A${")".repeat(100_000)}`, false],
  ])("when the expression has %s, then it is accepted: %s", (_case, expression, accepted) => {
    expect(parseDepends(expression).ok).toBe(accepted);
  });

  it("when a long chain is evaluated, then it does not exhaust the stack", () => {
    const names = Array.from({ length: 400 }, (_, i) => `t${i}`);
    const phases = Object.fromEntries(names.map((name) => [name, "Succeeded" as NodePhase]));
    expect(evaluateDepends(parsed(names.join(" && ")), phases)).toBe(true);
  });
});
