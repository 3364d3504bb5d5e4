import { describe, expect, it } from "vitest";
import type { Scanner } from "./parser.ts";
import { ExpressionError, TokenCursor, tokenize } from "./parser.ts";

// A toy language on the skeleton: digits, `+` (left-associative), parentheses.
type Token = string;
const scan: Scanner<Token> = (text, at) => {
  const char = text.charAt(at);
  if (!/[0-9+()]/.test(char)) throw new ExpressionError(`unexpected '${char}'`);
  return { token: char, next: at + 1 };
};

function parse(text: string): string {
  const cursor = new TokenCursor(tokenize(text, scan), (token) => `'${token}'`);
  const primary = (): string => {
    const token = cursor.take();
    if (/[0-9]/.test(token)) return token;
    if (token !== "(") throw cursor.unexpected(token);
    return cursor.parenthesized(sum, (close) => close === ")");
  };
  const sum = (): string =>
    cursor.leftAssoc(
      (token) => (token === "+" ? "+" : undefined),
      primary,
      (op, left, right) => `(${left}${op}${right})`,
    );
  return cursor.complete(sum);
}

const problem = (text: string): string => {
  try {
    parse(text);
    return "";
  } catch (error) {
    return (error as Error).message;
  }
};

describe("the expression parser skeleton", () => {
  it("skips whitespace, groups left-associative levels and parentheses", () => {
    expect(parse(" 1 + 2+3 ")).toBe("((1+2)+3)");
    expect(parse("1+(2+3)")).toBe("(1+(2+3))");
  });

  it("names what is wrong", () => {
    expect(problem("1 +")).toBe("unexpected end of expression");
    expect(problem("(1")).toBe("unbalanced parenthesis");
    expect(problem("1 2")).toBe("unexpected '2' after a complete expression");
    expect(problem("+")).toBe("unexpected '+'");
    expect(problem("1 x")).toBe("unexpected 'x'");
  });

  it("bounds the nesting and the length, so no expression exhausts the stack", () => {
    expect(problem(`${"(".repeat(65)}1${")".repeat(65)}`)).toBe("nested more than 64 levels deep");
    expect(problem("1+".repeat(500) + "1")).toBe("longer than 1000 tokens");
  });
});
