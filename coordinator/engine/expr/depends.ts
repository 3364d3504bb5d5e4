// Argo's enhanced depends logic (docs/enhanced-depends-logic.md, workflow/common/ancestry.go):
// `A.Succeeded && (B.Failed || !C.Skipped)`, where a bare `A` means
// `(A.Succeeded || A.Skipped || A.Daemoned)`, widened by A's own continueOn.
import type { ContinueOn, NodePhase } from "../workflow.ts";
import type { Resolved } from "./template.ts";
import type { Scanner } from "./parser.ts";
import { ExpressionError, TokenCursor, tokenize } from "./parser.ts";

export const TASK_RESULTS = [
  "Succeeded",
  "Failed",
  "Errored",
  "Skipped",
  "Omitted",
  "Daemoned",
  "AnySucceeded",
  "AllFailed",
] as const;
export type TaskResult = (typeof TASK_RESULTS)[number];

export type DependsExpr =
  /** No dependencies at all (an empty expression): always satisfied. */
  | { kind: "none" }
  /** `task.result`, or a bare `task` when result is undefined. */
  | { kind: "task"; task: string; result: TaskResult | undefined }
  | { kind: "not"; operand: DependsExpr }
  | { kind: "and" | "or"; left: DependsExpr; right: DependsExpr };

type OpKind = "&&" | "||" | "!" | "(" | ")";
type Token = { kind: "task"; task: string; result: string | undefined } | { kind: OpKind };

const TOKEN = /(?:([A-Za-z0-9_-]+)(?:\.([A-Za-z]+))?|(&&|\|\||!|\(|\)))/y;

/** A task name with its optional `.Result`, or an operator. */
const scan: Scanner<Token> = (text, at) => {
  TOKEN.lastIndex = at;
  const match = TOKEN.exec(text);
  if (match === null) throw new ExpressionError(`unexpected '${text.charAt(at)}'`);
  const [whole, task, result, op] = match;
  const token: Token = task !== undefined ? { kind: "task", task, result } : { kind: op as OpKind };
  return { token, next: at + whole.length };
};

function describe(token: Token): string {
  return `'${token.kind === "task" ? token.task : token.kind}'`;
}

function isTaskResult(result: string): result is TaskResult {
  return (TASK_RESULTS as readonly string[]).includes(result);
}

function taskNode(token: Extract<Token, { kind: "task" }>): DependsExpr {
  if (token.result === undefined) return { kind: "task", task: token.task, result: undefined };
  if (!isTaskResult(token.result)) {
    throw new ExpressionError(`task result '${token.result}' for task '${token.task}' is invalid`);
  }
  return { kind: "task", task: token.task, result: token.result };
}

/** `||` binds loosest, then `&&`, then `!`. */
function parseTokens(tokens: readonly Token[]): DependsExpr {
  const cursor = new TokenCursor(tokens, describe);
  const binary = (kind: "and" | "or", op: "&&" | "||", operand: () => DependsExpr): DependsExpr =>
    cursor.leftAssoc(
      (token) => (token?.kind === op ? op : undefined),
      operand,
      (_op, left, right) => ({ kind, left, right }),
    );
  const primary = (): DependsExpr => {
    const token = cursor.take();
    if (token.kind === "task") return taskNode(token);
    if (token.kind === "!") return { kind: "not", operand: cursor.nested(primary) };
    if (token.kind !== "(") throw cursor.unexpected(token);
    return cursor.parenthesized(or, (close) => close?.kind === ")");
  };
  const and = (): DependsExpr => binary("and", "&&", primary);
  const or = (): DependsExpr => binary("or", "||", and);
  return cursor.complete(or);
}

/** Parses a `depends` expression; an empty one means "no dependencies". */
export function parseDepends(expression: string): Resolved<DependsExpr> {
  if (expression.trim() === "") return { ok: true, value: { kind: "none" } };
  try {
    return { ok: true, value: parseTokens(tokenize(expression, scan)) };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { ok: false, error: `invalid depends expression '${expression}': ${error.message}` };
  }
}

/** `dependencies: [A, B]` as the equivalent depends expression "A && B". */
export function dependsFromDependencies(dependencies: readonly string[]): string {
  return dependencies.join(" && ");
}

/** Task names referenced, in order of first appearance, deduplicated. */
export function dependsTasks(expr: DependsExpr): string[] {
  const names: string[] = [];
  const visit = (node: DependsExpr): void => {
    if (node.kind === "task" && !names.includes(node.task)) names.push(node.task);
    if (node.kind === "not") visit(node.operand);
    if (node.kind === "and" || node.kind === "or") {
      visit(node.left);
      visit(node.right);
    }
  };
  visit(expr);
  return names;
}

/** Whether a finished task in `phase` has `result`. A plain task: AnySucceeded = Succeeded, AllFailed = Failed. */
function hasResult(phase: NodePhase | undefined, result: TaskResult): boolean {
  switch (result) {
    case "Succeeded":
    case "AnySucceeded":
      return phase === "Succeeded";
    case "Failed":
    case "AllFailed":
      return phase === "Failed";
    case "Errored":
      return phase === "Error";
    case "Skipped":
      return phase === "Skipped";
    case "Omitted":
      return phase === "Omitted";
    case "Daemoned":
      return false;
  }
}

/** A bare `A`: Succeeded, Skipped or Daemoned, plus Errored/Failed when A's continueOn says so. */
function bareSatisfied(phase: NodePhase | undefined, continueOn: ContinueOn | undefined): boolean {
  return (
    hasResult(phase, "Succeeded") ||
    hasResult(phase, "Skipped") ||
    hasResult(phase, "Daemoned") ||
    (continueOn?.error === true && hasResult(phase, "Errored")) ||
    (continueOn?.failed === true && hasResult(phase, "Failed"))
  );
}

/**
 * `.AnySucceeded` / `.AllFailed` of a looped task (Argo's TaskGroup): one item succeeded, or
 * there are items and all failed; undefined for anything else.
 */
function loopResult(
  node: { task: string; result?: TaskResult },
  items: Readonly<Record<string, readonly NodePhase[]>>,
): boolean | undefined {
  const phases = Object.hasOwn(items, node.task) ? items[node.task] : undefined;
  if (phases === undefined) return undefined;
  if (node.result === "AnySucceeded") return phases.includes("Succeeded");
  if (node.result === "AllFailed") return phases.length > 0 && phases.every((phase) => phase === "Failed");
  return undefined;
}

/**
 * Called once every referenced task is done. phases[task] is the task node's phase;
 * continueOn[task] is that task's own `continueOn`, which widens a bare reference to it;
 * items[task] the phases of a looped task's items.
 */
export function evaluateDepends(
  expr: DependsExpr,
  phases: Readonly<Record<string, NodePhase>>,
  continueOn: Readonly<Record<string, ContinueOn | undefined>> = {},
  items: Readonly<Record<string, readonly NodePhase[]>> = {},
): boolean {
  const evaluate = (node: DependsExpr): boolean => {
    switch (node.kind) {
      case "none":
        return true;
      case "task": {
        const loop = loopResult(node, items);
        if (loop !== undefined) return loop;
        const phase = Object.hasOwn(phases, node.task) ? phases[node.task] : undefined;
        if (node.result !== undefined) return hasResult(phase, node.result);
        return bareSatisfied(phase, Object.hasOwn(continueOn, node.task) ? continueOn[node.task] : undefined);
      }
      case "not":
        return !evaluate(node.operand);
      case "and":
        return evaluate(node.left) && evaluate(node.right);
      case "or":
        return evaluate(node.left) || evaluate(node.right);
    }
  };
  return evaluate(expr);
}

/**
 * Whether `expr` names one of `task`'s outcomes explicitly (`A.Failed`, `A.Errored`, `A.AllFailed`,
 * `!A.Succeeded`, …) in a way that holds for the outcome `task` had: it was written to handle it.
 * A bare `A` names no outcome.
 */
export function namesOutcome(
  expr: DependsExpr,
  task: string,
  phase: NodePhase,
  items: Readonly<Record<string, readonly NodePhase[]>> = {},
): boolean {
  const visit = (node: DependsExpr, holds: boolean): boolean => {
    switch (node.kind) {
      case "none":
        return false;
      case "task":
        if (node.task !== task || node.result === undefined) return false;
        return (loopResult(node, items) ?? hasResult(phase, node.result)) === holds;
      case "not":
        return visit(node.operand, !holds);
      case "and":
      case "or":
        return visit(node.left, holds) || visit(node.right, holds);
    }
  };
  return visit(expr, true);
}
