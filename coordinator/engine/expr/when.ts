// Argo's `when`: govaluate as Argo's shouldExecute uses it, on an already-substituted
// expression. Bare words are strings (`Failed == Succeeded` is false), numbers compare
// numerically, and the result must be a boolean.
import type { Resolved } from "./template.ts";
import { lexWhen, type WhenToken } from "./when-lexer.ts";

type Value = string | number | boolean;

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "unary"; op: "!" | "-"; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node };

const COMPARATORS = new Set(["==", "!=", "<", ">", "<=", ">=", "=~", "!~"]);

/** Bounds that keep a hostile expression from exhausting the stack; real ones are far smaller. */
const MAX_TOKENS = 1000;
const MAX_NESTING = 64;

class WhenError extends Error {}

/** A recursive-descent parser over the token list: `||` < `&&` < comparators < prefix. */
function parse(tokens: readonly WhenToken[]): Node {
  if (tokens.length > MAX_TOKENS) throw new WhenError(`longer than ${MAX_TOKENS} tokens`);
  let position = 0;
  let nesting = 0;
  const nested = <T>(inner: () => T): T => {
    if (++nesting > MAX_NESTING) throw new WhenError(`nested more than ${MAX_NESTING} levels deep`);
    const result = inner();
    nesting--;
    return result;
  };
  const peekOp = (): string | undefined => {
    const token = tokens[position];
    return token?.kind === "op" ? token.op : undefined;
  };
  const binary = (ops: ReadonlySet<string>, operand: () => Node): Node => {
    let left = operand();
    for (let op = peekOp(); op !== undefined && ops.has(op); op = peekOp()) {
      position++;
      left = { kind: "binary", op, left, right: operand() };
    }
    return left;
  };
  const primary = (): Node => {
    const token = tokens[position++];
    if (token === undefined) throw new WhenError("unexpected end of expression");
    if (token.kind === "value") return { kind: "literal", value: token.value };
    if (token.kind === "open") {
      const inner = nested(or);
      if (tokens[position++]?.kind !== "close") throw new WhenError("unbalanced parenthesis");
      return inner;
    }
    throw new WhenError(`unexpected ${token.kind === "op" ? `'${token.op}'` : "')'"}`);
  };
  const prefix = (): Node => {
    const op = peekOp();
    if (op !== "!" && op !== "-") return primary();
    position++;
    return { kind: "unary", op, operand: nested(prefix) };
  };
  const comparison = (): Node => binary(COMPARATORS, prefix);
  const and = (): Node => binary(new Set(["&&"]), comparison);
  const or = (): Node => binary(new Set(["||"]), and);

  const root = or();
  const rest = tokens[position];
  if (rest !== undefined) throw new WhenError(`unexpected ${describe(rest)} after a complete expression`);
  return root;
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
    throw new WhenError(`value ${show(value)} cannot be used with '${op}', it is not a bool`);
  return value;
}

/** Go regexps accept leading inline flags such as `(?i)`; JavaScript takes them as flags. */
function toRegExp(pattern: string): RegExp {
  const inline = /^\(\?([ims]+)\)/.exec(pattern);
  const flags = inline?.[1] ?? "";
  try {
    return new RegExp(pattern.slice(inline?.[0].length ?? 0), flags);
  } catch {
    throw new WhenError(`invalid regular expression '${pattern}'`);
  }
}

function order(op: string, left: Value, right: Value): boolean {
  const bothNumbers = typeof left === "number" && typeof right === "number";
  const bothStrings = typeof left === "string" && typeof right === "string";
  if (!bothNumbers && !bothStrings) {
    throw new WhenError(`values ${show(left)} and ${show(right)} cannot be compared with '${op}'`);
  }
  if (op === "<") return left < right;
  if (op === ">") return left > right;
  if (op === "<=") return left <= right;
  return left >= right;
}

function match(op: string, left: Value, right: Value): boolean {
  if (typeof left !== "string" || typeof right !== "string") {
    throw new WhenError(
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
      throw new WhenError(`value ${show(operand)} cannot be negated, it is not a number`);
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
  const lexed = lexWhen(expression);
  if (!lexed.ok) return { ok: false, error: `Invalid 'when' expression '${expression}': ${lexed.error}` };
  try {
    const result = evaluate(parse(lexed.tokens));
    if (typeof result !== "boolean") {
      return { ok: false, error: `Expected boolean evaluation for '${expression}'. Got ${show(result)}` };
    }
    return { ok: true, value: result };
  } catch (error) {
    if (!(error instanceof WhenError)) throw error;
    return { ok: false, error: `Invalid 'when' expression '${expression}': ${error.message}` };
  }
}
