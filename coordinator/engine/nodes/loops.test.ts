import { describe, expect, it } from "vitest";
import { expandLoop, itemLabel, itemScope, iterationsOf, loopFieldsOf, loopItems } from "./loops.ts";
import { formatInt, sequenceItems } from "../expr/sequence.ts";

describe("loops: items", () => {
  const labels: { item: unknown; label: string; scope: Record<string, string> }[] = [
    { item: "hello world", label: "hello world", scope: { item: "hello world" } },
    { item: 'say "hi" (twice)', label: 'say \\"hi\\" twice', scope: { item: 'say "hi" (twice)' } },
    { item: 3, label: "3", scope: { item: "3" } },
    { item: 1.5, label: "1.5", scope: { item: "1.5" } },
    { item: true, label: "true", scope: { item: "true" } },
    {
      item: { tag: "9.1", image: "debian", n: 2 },
      label: "image:debian,n:2,tag:9.1",
      scope: {
        item: '{"image":"debian","n":2,"tag":"9.1"}',
        "item.image": "debian",
        "item.tag": "9.1",
        "item.n": "2",
      },
    },
    { item: { a: { b: 1 } }, label: 'a:{"b":1}', scope: { item: '{"a":{"b":1}}', "item.a": '{"b":1}' } },
    { item: [1, "x"], label: "[1 x]", scope: { item: '[1,"x"]' } },
    { item: { url: "a&b" }, label: "url:a&b", scope: { item: '{"url":"a\\u0026b"}', "item.url": "a&b" } },
  ];
  for (const c of labels) {
    it(`when the item is ${JSON.stringify(c.item)}, then its label and variables are Argo's`, () => {
      expect(itemLabel(c.item)).toBe(c.label);
      expect(itemScope(c.item)).toEqual(c.scope);
    });
  }

  it("when loop fields are set, then only non-empty withItems/withParam count (Argo's ShouldExpand)", () => {
    expect(loopFieldsOf({ withItems: [] })).toEqual([]);
    expect(loopFieldsOf({ withParam: "" })).toEqual([]);
    expect(loopFieldsOf({ withItems: [1], withSequence: { count: 2 } })).toEqual([
      "withItems",
      "withSequence",
    ]);
  });

  const params: { withParam: string; when?: string; items?: unknown[]; error?: string }[] = [
    { withParam: '["a", {"k": 1}]', items: ["a", { k: 1 }] },
    { withParam: "{{inputs.parameters.list}}", items: [1, 2] },
    { withParam: "null", items: [] },
    {
      withParam: '{"a": 1}',
      error: 'withParam value could not be parsed as a JSON list: {"a": 1}: it is an object',
    },
    { withParam: " nope ", error: "withParam value could not be parsed as a JSON list: nope: " },
    { withParam: "nope", when: "1 == 2", items: [] },
    {
      withParam: "{{steps.x.outputs.result}}",
      error: "withParam: unable to resolve {{steps.x.outputs.result}}",
    },
  ];
  for (const c of params) {
    it(`when withParam is ${c.withParam}${c.when ? ` and when is false` : ""}, then ${c.error ? "it is an error" : "it is the list"}`, () => {
      const result = loopItems(
        { withParam: c.withParam, when: c.when },
        { "inputs.parameters.list": "[1,2]" },
      );
      if (c.error === undefined) expect(result).toEqual({ ok: true, value: c.items });
      else expect(result.ok ? "" : result.error).toContain(c.error);
    });
  }

  it("when a step is expanded, then each iteration has its name and its item in when, arguments and hooks", () => {
    const step = {
      name: "a",
      template: "echo",
      when: "{{item.n}} > 1",
      withItems: [{ n: 1 }, { n: 2 }],
      arguments: { parameters: [{ name: "m", value: "{{item.n}} of {{workflow.name}}" }] },
      hooks: { exit: { template: "bye", arguments: { parameters: [{ name: "m", value: "{{item}}" }] } } },
    };
    const result = expandLoop(step, {});
    expect(result.ok && result.value.map((i) => i.name)).toEqual(["a(0:n:1)", "a(1:n:2)"]);
    expect(result.ok && result.value[1]?.step).toEqual({
      name: "a",
      template: "echo",
      when: "2 > 1",
      arguments: { parameters: [{ name: "m", value: "2 of {{workflow.name}}" }] },
      hooks: { exit: { template: "bye", arguments: { parameters: [{ name: "m", value: '{"n":2}' }] } } },
    });
  });

  it("when an iteration uses a key its item lacks, then expansion fails naming it", () => {
    const result = expandLoop({ name: "a", template: "t", withItems: ["x"], when: "{{item.k}}" }, {});
    expect(result).toEqual({ ok: false, error: "a[0]: unable to resolve {{item.k}}" });
  });

  it("when nodes are listed, then only the iterations are kept, in item order", () => {
    const nodes = ["a(10:k)", "a(2:j)", "a(2:j).onExit", "a(0:i)(0)", "ab(0:x)", "a"].map((name) => ({
      name,
    }));
    expect(iterationsOf("a", nodes).map((n) => n.name)).toEqual(["a(2:j)", "a(10:k)"]);
  });
});

describe("loops: withSequence", () => {
  const cases: { seq: Record<string, string>; items?: string[]; error?: string }[] = [
    { seq: { count: "3" }, items: ["0", "1", "2"] },
    { seq: { count: "0" }, items: [] },
    { seq: { start: "5", count: "2" }, items: ["5", "6"] },
    { seq: { start: "2", end: "4" }, items: ["2", "3", "4"] },
    { seq: { start: "3", end: "1" }, items: ["3", "2", "1"] },
    { seq: { start: "0", count: "-2" }, items: ["0", "-1", "-2", "-3"] },
    { seq: { count: "3", format: "file-%02d.txt" }, items: ["file-00.txt", "file-01.txt", "file-02.txt"] },
    { seq: { start: "9", end: "11", format: "%x" }, items: ["9", "a", "b"] },
    { seq: { start: "1" }, error: "neither end nor count was specified in withSequence" },
    { seq: { count: "three" }, error: 'withSequence.count "three" is not an integer' },
    { seq: { count: "100000" }, error: "withSequence has 100000 items, more than the 10000 onexit allows" },
  ];
  for (const c of cases) {
    it(`when the sequence is ${JSON.stringify(c.seq)}, then ${c.error ?? JSON.stringify(c.items)}`, () => {
      expect(sequenceItems(c.seq)).toEqual(
        c.error ? { ok: false, error: c.error } : { ok: true, value: c.items },
      );
    });
  }

  const formats: [string, number, string][] = [
    ["%d", 7, "7"],
    ["%03d", -7, "-07"],
    ["%-4d|", 7, "7   |"],
    ["%+d", 7, "+7"],
    ["%.3d", 7, "007"],
    ["%#x", 255, "0xff"],
    ["%X", 255, "FF"],
    ["%b", 5, "101"],
    ["%o", 8, "10"],
    ["100%%-%d", 1, "100%-1"],
    ["%s", 1, "%!s(int=1)"],
    ["%d-%d", 1, "1-%!d(MISSING)"],
    ["item", 1, "item%!(EXTRA int=1)"],
  ];
  for (const [format, n, out] of formats) {
    it(`when the format is ${format}, then ${n} prints as Go prints it: ${out}`, () => {
      expect(formatInt(format, n)).toBe(out);
    });
  }

  it("when the sequence uses variables, then they are substituted first", () => {
    const result = loopItems(
      { withSequence: { start: "{{inputs.parameters.from}}", end: 2 } },
      { "inputs.parameters.from": "1" },
    );
    expect(result).toEqual({ ok: true, value: ["1", "2"] });
  });
});
