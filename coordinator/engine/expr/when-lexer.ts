// Tokens of an Argo `when` expression, as govaluate reads them for Argo's shouldExecute:
// bare words become strings, numbers are float64, `true`/`false` are booleans.
import type { Scanned as ParserScanned } from "./parser.ts";
import { ExpressionError, tokenize } from "./parser.ts";

export type WhenToken =
  | { kind: "value"; value: string | number | boolean; text: string }
  | { kind: "op"; op: string }
  | { kind: "open" }
  | { kind: "close" };

/** Longest first, so `<=` wins over `<`. */
const OPERATORS = ["==", "!=", "<=", ">=", "=~", "!~", "&&", "||", "<", ">", "!", "-"];
const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_.]/u;
const NUMBER_PART = /[0-9.]/;
const OPERATOR_CHAR = /[=!<>~&|+\-*/^%:?,]/;

type Scanned = ParserScanned<WhenToken>;

function readWhile(text: string, start: number, pattern: RegExp): number {
  let end = start;
  while (end < text.length && pattern.test(text.charAt(end))) end++;
  return end;
}

function scanWord(text: string, start: number): Scanned {
  const next = readWhile(text, start, WORD_PART);
  const word = text.slice(start, next);
  if (word === "true" || word === "false") {
    return { token: { kind: "value", value: word === "true", text: word }, next };
  }
  return { token: { kind: "value", value: word, text: word }, next };
}

function scanNumber(text: string, start: number): Scanned {
  const next = readWhile(text, start, NUMBER_PART);
  const literal = text.slice(start, next);
  const value = Number(literal);
  if (!Number.isFinite(value) || literal.endsWith(".")) {
    throw new ExpressionError(`unable to parse numeric value '${literal}'`);
  }
  return { token: { kind: "value", value, text: literal }, next };
}

function scanString(text: string, start: number): Scanned {
  const quote = text.charAt(start);
  let value = "";
  let position = start + 1;
  while (position < text.length) {
    const character = text.charAt(position);
    if (character === quote) {
      return { token: { kind: "value", value, text: text.slice(start, position + 1) }, next: position + 1 };
    }
    if (character === "\\" && position + 1 < text.length) position++;
    value += text.charAt(position);
    position++;
  }
  throw new ExpressionError(`unclosed string literal starting at ${text.slice(start)}`);
}

function scanOperator(text: string, start: number): Scanned {
  const op = OPERATORS.find((candidate) => text.startsWith(candidate, start));
  if (op === undefined) {
    const run = text.slice(start, readWhile(text, start, OPERATOR_CHAR)) || text.charAt(start);
    throw new ExpressionError(
      `invalid token '${run}' (hint: try wrapping the affected expression in quotes ("))`,
    );
  }
  return { token: { kind: "op", op }, next: start + op.length };
}

function scan(text: string, start: number): Scanned {
  const character = text.charAt(start);
  if (character === "(") return { token: { kind: "open" }, next: start + 1 };
  if (character === ")") return { token: { kind: "close" }, next: start + 1 };
  if (character === "'" || character === '"') return scanString(text, start);
  if (/[0-9]/.test(character)) return scanNumber(text, start);
  if (WORD_START.test(character)) return scanWord(text, start);
  return scanOperator(text, start);
}

/** Splits an already-substituted `when` expression into tokens; throws ExpressionError. */
export function lexWhen(text: string): WhenToken[] {
  return tokenize(text, scan);
}
