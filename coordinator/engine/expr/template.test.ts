import { describe, expect, it } from "vitest";
import {
  MAX_DEPTH,
  isArgoVariable,
  referencedVariables,
  substitute,
  substituteDeep,
  type Scope,
} from "./template.ts";

const scope: Scope = {
  "workflow.status": "Failed",
  "workflow.name": "wf-abc",
  "steps.a.outputs.result": "heads",
  empty: "",
  braces: "{{workflow.name}}",
  "workflow.failures": '[{"displayName":"a","message":"Error (exit code 1)"}]',
};

describe("substitute", () => {
  it.each([
    ["text without tags", "echo hello", "echo hello"],
    ["one variable", "Exit status: {{workflow.status}}", "Exit status: Failed"],
    ["spaces inside braces", "{{ workflow.status }}", "Failed"],
    ["tabs and newlines inside braces", "{{\tworkflow.status\n}}", "Failed"],
    ["adjacent variables", "{{workflow.name}}{{workflow.status}}", "wf-abcFailed"],
    ["the same variable twice", "{{workflow.status}}/{{ workflow.status }}", "Failed/Failed"],
    ["a value that is empty", "[{{empty}}]", "[]"],
    ["a value that itself looks like a tag", "{{braces}}", "{{workflow.name}}"],
    [
      "a value with JSON and quotes",
      "{{workflow.failures}}",
      '[{"displayName":"a","message":"Error (exit code 1)"}]',
    ],
    ["an opening brace pair without closing", "a {{workflow.status", "a {{workflow.status"],
    ["a lone closing brace pair", "a }} b", "a }} b"],
    ["single braces", "{workflow.status}", "{workflow.status}"],
    ["the empty string", "", ""],
  ])("when the text has %s, then it resolves", (_case, text, expected) => {
    expect(substitute(text, scope)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["an unknown name", "echo {{steps.x.outputs.result}}", "unable to resolve {{steps.x.outputs.result}}"],
    ["an unknown name with spaces", "{{  steps.x.status }}", "unable to resolve {{steps.x.status}}"],
    ["an empty tag", "{{}}", "unable to resolve {{}}"],
    ["a known then an unknown name", "{{workflow.status}} {{nope}}", "unable to resolve {{nope}}"],
    // Tags run from `{{` to the first `}}`, as fasttemplate reads them.
    ["a tag opened twice", "{{ {{workflow.status}}", "unable to resolve {{{{workflow.status}}"],
    ["triple braces", "{{{workflow.status}}}", "unable to resolve {{{workflow.status}}"],
    ["an expression template", "{{=workflow.status}}", "expression templates ({{=...}}) are not supported"],
    [
      "an expression template with spaces",
      "{{ = 1 + 1 }}",
      "expression templates ({{=...}}) are not supported",
    ],
  ])("when the text has %s, then it is an error naming it", (_case, text, error) => {
    expect(substitute(text, scope)).toEqual({ ok: false, error });
  });

  it("when a name is inherited from Object.prototype, then it is still unknown", () => {
    expect(substitute("{{toString}}", scope)).toEqual({ ok: false, error: "unable to resolve {{toString}}" });
    expect(substitute("{{__proto__}}", scope)).toEqual({
      ok: false,
      error: "unable to resolve {{__proto__}}",
    });
  });

  it.each([
    ["a kept name stays exactly as written", "a {{ steps.b.status }} c", "a {{ steps.b.status }} c"],
    [
      "known names still resolve beside kept ones",
      "{{workflow.status}} {{steps.b.status}}",
      "Failed {{steps.b.status}}",
    ],
  ])("when keepUnresolved accepts the name, then %s", (_case, text, expected) => {
    const keep = (name: string): boolean => name.startsWith("steps.");
    expect(substitute(text, scope, keep)).toEqual({ ok: true, value: expected });
  });

  it("when keepUnresolved rejects the name, then it is an error", () => {
    expect(substitute("{{tasks.x.status}}", scope, (name) => name.startsWith("steps."))).toEqual({
      ok: false,
      error: "unable to resolve {{tasks.x.status}}",
    });
  });

  it("when keepUnresolved is asked, then it receives the trimmed name", () => {
    const asked: string[] = [];
    substitute("{{  a.b  }}", {}, (name) => {
      asked.push(name);
      return true;
    });
    expect(asked).toEqual(["a.b"]);
  });

  it("when a name is known, then keepUnresolved is not consulted", () => {
    expect(substitute("{{workflow.status}}", scope, () => true)).toEqual({ ok: true, value: "Failed" });
  });

  it("when an expression is present, then keepUnresolved does not keep it", () => {
    expect(substitute("{{=x}}", scope, () => true).ok).toBe(false);
  });
});

describe("substituteDeep", () => {
  it("when given nested objects and arrays, then every string is substituted and keys are not", () => {
    const input = {
      "{{workflow.name}}": "key stays",
      container: { args: ["echo {{workflow.status}}", "{{ steps.a.outputs.result }}"], image: "alpine" },
      env: [{ name: "S", value: "{{workflow.status}}" }],
      retries: 3,
      flag: true,
      none: null,
    };
    expect(substituteDeep(input, scope)).toEqual({
      ok: true,
      value: {
        "{{workflow.name}}": "key stays",
        container: { args: ["echo Failed", "heads"], image: "alpine" },
        env: [{ name: "S", value: "Failed" }],
        retries: 3,
        flag: true,
        none: null,
      },
    });
  });

  it("when it substitutes, then the input is not mutated and the output shares no objects with it", () => {
    const input = { a: { b: ["{{workflow.status}}"] }, c: [{ d: 1 }] };
    const snapshot = structuredClone(input);
    const resolved = substituteDeep(input, scope);
    expect(input).toEqual(snapshot);
    if (!resolved.ok) throw new Error(resolved.error);
    expect(resolved.value.a).not.toBe(input.a);
    expect(resolved.value.a.b).not.toBe(input.a.b);
    expect(resolved.value.c[0]).not.toBe(input.c[0]);
  });

  it("when a deep string has an unknown name, then the whole value is an error naming it", () => {
    expect(substituteDeep({ a: [{ b: "{{nope}}" }] }, scope)).toEqual({
      ok: false,
      error: "unable to resolve {{nope}}",
    });
  });

  it.each([
    ["a string", "{{workflow.status}}", "Failed"],
    ["a number", 5, 5],
    ["null", null, null],
    ["undefined", undefined, undefined],
    ["an empty array", [], []],
    ["an empty object", {}, {}],
  ])("when the value is %s, then it resolves", (_case, value, expected) => {
    expect(substituteDeep(value, scope)).toEqual({ ok: true, value: expected });
  });

  it("when a key is __proto__, then it stays a plain own key", () => {
    const input = JSON.parse('{"__proto__": {"x": "{{workflow.status}}"}}') as Record<string, unknown>;
    const resolved = substituteDeep(input, scope);
    if (!resolved.ok) throw new Error(resolved.error);
    expect(Object.getPrototypeOf(resolved.value)).toBe(Object.prototype);
    expect(Object.hasOwn(resolved.value, "__proto__")).toBe(true);
    expect(JSON.stringify(resolved.value)).toBe('{"__proto__":{"x":"Failed"}}');
  });

  it("when keepUnresolved is given, then it applies to every string", () => {
    expect(
      substituteDeep(["{{steps.a.status}}", "{{workflow.status}}"], scope, (n) => n.startsWith("steps.")),
    ).toEqual({
      ok: true,
      value: ["{{steps.a.status}}", "Failed"],
    });
  });
});

describe("referencedVariables", () => {
  it.each([
    ["no tags", "echo hi", []],
    ["one tag", "{{workflow.status}}", ["workflow.status"]],
    ["tags in order", "{{b}} {{a}}", ["b", "a"]],
    ["repeats with different spacing", "{{a}} {{ a }} {{a  }}", ["a"]],
    ["adjacent tags", "{{a}}{{b}}", ["a", "b"]],
    ["an expression, which is not a name", "{{=a}} {{b}}", ["b"]],
    ["an unclosed tag", "{{a}} {{b", ["a"]],
    ["an empty tag", "{{}}", [""]],
  ])("when the text has %s, then it lists them", (_case, text, expected) => {
    expect(referencedVariables(text)).toEqual(expected);
  });
});

describe("isArgoVariable", () => {
  it.each([
    ["workflow.status", true],
    ["steps.a.outputs.result", true],
    ["tasks.b.status", true],
    ["inputs.parameters.x", true],
    ["outputs.parameters.x", true],
    ["item", false],
    ["item.key", true],
    ["pod.name", true],
    ["workflow", false],
    ["workflowx.status", false],
    [".Values.image", false],
    ["range $x", false],
    ["", false],
  ])("when the name is %j, then it is an Argo variable: %s", (name, expected) => {
    expect(isArgoVariable(name)).toBe(expected);
  });

  it("when used as keepUnresolved, then a script's own templates survive and Argo's must resolve", () => {
    const keep = (name: string): boolean => !isArgoVariable(name);
    expect(substitute("{{ .Values.x }} {{workflow.status}}", scope, keep)).toEqual({
      ok: true,
      value: "{{ .Values.x }} Failed",
    });
    expect(substitute("{{workflow.nope}}", scope, keep)).toEqual({
      ok: false,
      error: "unable to resolve {{workflow.nope}}",
    });
  });
});

describe("substituteDeep limits", () => {
  function nestedArrays(levels: number): unknown {
    let value: unknown = "{{workflow.status}}";
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  }

  it.each([
    [MAX_DEPTH, true],
    [MAX_DEPTH + 1, false],
    [100_000, false],
  ])("when the value is %i arrays deep, then it resolves: %s", (levels, resolves) => {
    expect(substituteDeep(nestedArrays(levels), scope).ok).toBe(resolves);
  });
});
