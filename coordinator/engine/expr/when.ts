// Argo's `when`: govaluate as Argo's shouldExecute uses it, on an already-substituted
// expression. Bare words are strings (`Failed == Succeeded` is false), numbers compare
// numerically, and the result must be a boolean.
import type { Resolved } from "./template.ts";
import { ExpressionError, TokenCursor } from "./parser.ts";
import { lexWhen, type WhenToken } from "./when-lexer.ts";

type Value = string | number | boolean;

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "unary"; op: "!" | "-"; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node };

const COMPARATORS = new Set(["==", "!=", "<", ">", "<=", ">=", "=~", "!~"]);
const PREFIX = new Set(["!", "-"]);
const AND = new Set(["&&"]);
const OR = new Set(["||"]);

/** A recursive-descent parser over the token list: `||` < `&&` < comparators < prefix. */
function parse(tokens: readonly WhenToken[]): Node {
  const cursor = new TokenCursor(tokens, describe);
  const opOf = (ops: ReadonlySet<string>) => (token: WhenToken | undefined) =>
    token?.kind === "op" && ops.has(token.op) ? token.op : undefined;
  const binary = (ops: ReadonlySet<string>, operand: () => Node): Node =>
    cursor.leftAssoc(opOf(ops), operand, (op, left, right) => ({ kind: "binary", op, left, right }));
  const primary = (): Node => {
    const token = cursor.take();
    if (token.kind === "value") return { kind: "literal", value: token.value };
    if (token.kind === "open") return cursor.parenthesized(or, (close) => close?.kind === "close");
    throw cursor.unexpected(token);
  };
  const prefix = (): Node => {
    const op = opOf(PREFIX)(cursor.peek());
    if (op === undefined) return primary();
    cursor.take();
    return { kind: "unary", op: op as "!" | "-", operand: cursor.nested(prefix) };
  };
  const comparison = (): Node => binary(COMPARATORS, prefix);
  const and = (): Node => binary(AND, comparison);
  const or = (): Node => binary(OR, and);
  return cursor.complete(or);
}

function describe(token: WhenToken): string {
  if (token.kind === "value") return `'${token.text}'`;
  if (token.kind === "op") return `'${token.op}'`;
  return token.kind === "open" ? "'('" : "')'";
}

function show(value: Value): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}

function asBool(value: Value, op: string): boolean {
  if (typeof value !== "boolean")
    throw new ExpressionError(`value ${show(value)} cannot be used with '${op}', it is not a bool`);
  return value;
}

/** Go regexps accept leading inline flags such as `(?i)`; JavaScript takes them as flags. */
function toRegExp(pattern: string): RegExp {
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  const flags = inline?.[1] ?? "";
  try {
    return new RegExp(pattern.slice(inline?.[0].length ?? 0), flags);
  } catch {
    throw new ExpressionError(`invalid regular expression '${pattern}'`);
  }
}

function order(op: string, left: Value, right: Value): boolean {
  const bothNumbers = typeof left === "number" && typeof right === "number";
  const bothStrings = typeof left === "string" && typeof right === "string";
  if (!bothNumbers && !bothStrings) {
    throw new ExpressionError(`values ${show(left)} and ${show(right)} cannot be compared with '${op}'`);
  }
  if (op === "<") return left < right;
  if (op === ">") return left > right;
  if (op === "<=") return left <= right;
  return left >= right;
}

function match(op: string, left: Value, right: Value): boolean {
  if (typeof left !== "string" || typeof right !== "string") {
    throw new ExpressionError(
      `values ${show(left)} and ${show(right)} cannot be matched with '${op}', both must be strings`,
    );
  }
  const matched = toRegExp(right).test(left);
  return op === "=~" ? matched : !matched;
}

function compare(op: string, left: Value, right: Value): boolean {
  if (op === "==") return left === right;
  if (op === "!=") return left !== right;
  if (op === "=~" || op === "!~") return match(op, left, right);
  return order(op, left, right);
}

function evaluate(node: Node): Value {
  if (node.kind === "literal") return node.value;
  if (node.kind === "unary") {
    const operand = evaluate(node.operand);
    if (node.op === "!") return !asBool(operand, "!");
    if (typeof operand !== "number")
      throw new ExpressionError(`value ${show(operand)} cannot be negated, it is not a number`);
    return -operand;
  }
  const left = evaluate(node.left);
  if (node.op === "&&" && !asBool(left, "&&")) return false;
  if (node.op === "||" && asBool(left, "||")) return true;
  const right = evaluate(node.right);
  if (node.op === "&&" || node.op === "||") return asBool(right, node.op);
  return compare(node.op, left, right);
}

/** Evaluates an already-substituted Argo `when`; an empty expression is true, as in Argo. */
export function evaluateWhen(expression: string): Resolved<boolean> {
  if (expression.trim() === "") return { ok: true, value: true };
  try {
    const result = evaluate(parse(lexWhen(expression)));
    if (typeof result !== "boolean") {
      return { ok: false, error: `Expected boolean evaluation for '${expression}'. Got ${show(result)}` };
    }
    return { ok: true, value: result };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { ok: false, error: `Invalid 'when' expression '${expression}': ${error.message}` };
  }
}
