import { describe, expect, it } from "vitest";
import { BoundedMemo } from "./memo.ts";

describe("BoundedMemo", () => {
  it("computes a key once, keeps at most maxEntries keys and drops the least recently used", () => {
    const memo = new BoundedMemo<string>(2);
    const computed: string[] = [];
    const get = (key: string): string =>
      memo.get(key, () => {
        computed.push(key);
        return key.toUpperCase();
      });
    expect([get("a"), get("b"), get("a")]).toEqual(["A", "B", "A"]);
    get("c"); // drops b, the least recently used
    expect(memo.size).toBe(2);
    expect([get("a"), get("b")]).toEqual(["A", "B"]);
    expect(computed).toEqual(["a", "b", "c", "b"]);
  });

  it("keeps an undefined value as a value", () => {
    const memo = new BoundedMemo<string | undefined>(4);
    let calls = 0;
    const compute = (): undefined => {
      calls++;
      return undefined;
    };
    memo.get("k", compute);
    memo.get("k", compute);
    expect(calls).toBe(1);
  });

  it("when a value is set, then it replaces the key's value and counts as the most recently used", () => {
    const memo = new BoundedMemo<string>(2);
    memo.get("a", () => "first");
    memo.get("b", () => "b");
    memo.set("a", "second");
    memo.set("c", "c"); // drops b: a was set after it
    expect(memo.get("a", () => "computed")).toBe("second");
    expect(memo.get("b", () => "computed")).toBe("computed");
    expect(memo.size).toBe(2);
  });
});
