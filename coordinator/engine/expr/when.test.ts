import { describe, expect, it } from "vitest";
import { evaluateWhen } from "./when.ts";

describe("evaluateWhen", () => {
  it.each([
    // Bare words are strings, as Argo turns govaluate variables into strings.
    ["Failed == Succeeded", false],
    ["Failed != Succeeded", true],
    ["Succeeded == Succeeded", true],
    ["heads == heads", true],
    ["tails == heads", false],
    ["True == False", false],
    ["word_with_underscores == word_with_underscores", true],
    ["a.b == a.b", true],
    ["Ünïcödé == Ünïcödé", true],
    // Quoting.
    ["'Failed' == 'Failed'", true],
    ['"Failed" == "Failed"', true],
    ["\"Failed\" == 'Failed'", true],
    ["Failed == 'Failed'", true],
    ["'two words' == 'two words'", true],
    ["'two words' == 'two  words'", false],
    ["'' == ''", true],
    ["'it\\'s' == \"it's\"", true],
    ['"a \\"quoted\\" word" == \'a "quoted" word\'', true],
    ["'SUCCESS' != 'FAILED' && 'SUCCESS' == 'SUCCESS'", true],
    ["'1' == 1", false],
    ["'true' == true", false],
    // Numbers compare numerically when both sides are numbers.
    ["1 == 1", true],
    ["1.0 == 1", true],
    ["01 == 1", true],
    ["2 < 10", true],
    ["10 > 2", true],
    ["10 >= 10", true],
    ["10 <= 9", false],
    ["3 != 1 && 3 != 2", true],
    ["1 != 1 && 1 != 2", false],
    ["0.5 < 1", true],
    ["-1 < 0", true],
    ["- 2 < -1", true],
    // Strings order lexicographically.
    ["'2' < '10'", false],
    ["abc < abd", true],
    ["b >= a", true],
    ["a <= a", true],
    // Booleans.
    ["true", true],
    ["false", false],
    ["true == true", true],
    ["true != false", true],
    ["!false", true],
    ["!!true", true],
    ["!(a == b)", true],
    ["!true == false", true],
    // Regular expressions: partial match, Go-style inline flags.
    ["heads =~ hea", true],
    ["tails =~ hea", false],
    ["tails !~ hea", true],
    ["heads =~ '^h.*s$'", true],
    ["heads =~ '^eads'", false],
    ["HEADS =~ '(?i)heads'", true],
    ["'a.b' =~ 'a\\.b'", true],
    // govaluate drops a backslash inside quotes, so a literal dot needs two.
    ["'axb' =~ 'a\\.b'", true],
    ["'axb' =~ 'a\\\\.b'", false],
    ["'a.b' =~ 'a\\\\.b'", true],
    // Precedence: || < && < comparators < prefix, parentheses first.
    ["true || false && false", true],
    ["(true || false) && false", false],
    ["false && false || true", true],
    ["a == a || b == c && d == e", true],
    ["(a == a || b == c) && d == e", false],
    ["( heads == heads && tails == tails ) || ( heads == tails && tails == heads )", true],
    ["( heads == tails &&\n  tails == tails\n) ||\n( tails == tails &&\n  heads == tails )", false],
    ["((((true))))", true],
    // Spacing.
    ["a==a", true],
    ["  a   ==   a  ", true],
    ["1<2&&2<3", true],
    // Short circuit: the other side is not evaluated.
    ["true || 1 < a", true],
    ["false && 1 < a", false],
    ["true || 1", true],
    // Empty, as Argo: no condition.
    ["", true],
    ["   ", true],
  ])("when the expression is %j, then it is %s", (expression, expected) => {
    expect(evaluateWhen(expression)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["Failed", "Expected boolean evaluation for 'Failed'. Got 'Failed'"],
    ["'true'", "Expected boolean evaluation for ''true''. Got 'true'"],
    ["1", "Expected boolean evaluation for '1'. Got 1"],
    ["-1", "Expected boolean evaluation for '-1'. Got -1"],
  ])("when %j is not a boolean, then it is an error quoting the expression", (expression, error) => {
    expect(evaluateWhen(expression)).toEqual({ ok: false, error });
  });

  it.each([
    ["a b", "unexpected 'b' after a complete expression"],
    ["hello world == hello world", "unexpected 'world' after a complete expression"],
    ["(a == a", "unbalanced parenthesis"],
    ["a == a)", "unexpected ')' after a complete expression"],
    ["()", "unexpected ')'"],
    ["a ==", "unexpected end of expression"],
    ["== a", "unexpected '=='"],
    ["a && || b", "unexpected '||'"],
    ["a: == b", "invalid token ':'"],
    ["a = b", "invalid token '='"],
    ["a + b", "invalid token '+'"],
    ["a & b", "invalid token '&'"],
    ["2024-01-01 == x", "unexpected '-'"],
    ["1.2.3 == 1.2.3", "unable to parse numeric value '1.2.3'"],
    ["1. == 1", "unable to parse numeric value '1.'"],
    ["'unclosed == a", "unclosed string literal"],
    ["5abc == 5abc", "unexpected 'abc'"],
    ["1 < a", "values 1 and 'a' cannot be compared with '<'"],
    ["true > false", "values true and false cannot be compared with '>'"],
    ["1 =~ 1", "cannot be matched with '=~', both must be strings"],
    ["a =~ '('", "invalid regular expression '('"],
    ["a && true", "value 'a' cannot be used with '&&', it is not a bool"],
    ["false || 1", "value 1 cannot be used with '||', it is not a bool"],
    ["false || a", "value 'a' cannot be used with '||', it is not a bool"],
    ["!a", "value 'a' cannot be used with '!', it is not a bool"],
    ["-a < 0", "value 'a' cannot be negated, it is not a number"],
  ])("when %j is malformed, then the error quotes it and says why", (expression, detail) => {
    const result = evaluateWhen(expression);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(`Invalid 'when' expression '${expression}': `);
    expect(result.error).toContain(detail);
  });

  it("when an operator character is not supported, then the error hints at quoting", () => {
    const result = evaluateWhen("a:b == c");
    expect(result).toEqual({
      ok: false,
      error: `Invalid 'when' expression 'a:b == c': invalid token ':' (hint: try wrapping the affected expression in quotes ("))`,
    });
  });
});

describe("evaluateWhen limits", () => {
  it.each([
    ["64 nested parentheses", `${"(".repeat(64)}true${")".repeat(64)}`, true],
    ["65 nested parentheses", `${"(".repeat(65)}true${")".repeat(65)}`, false],
    ["64 negations", `${"! ".repeat(64)}true`, true],
    ["65 negations", `${"! ".repeat(65)}true`, false],
    ["a chain of 250 comparisons", Array.from({ length: 250 }, () => "a == a").join(" && "), true],
    ["more than 1000 tokens", Array.from({ length: 300 }, () => "a == a").join(" && "), false],
    ["a hostile depth", `${"(".repeat(100_000)}true${")".repeat(100_000)}`, false],
  ])("when the expression has %s, then it is accepted: %s", (_case, expression, accepted) => {
    expect(evaluateWhen(expression).ok).toBe(accepted);
  });
});
