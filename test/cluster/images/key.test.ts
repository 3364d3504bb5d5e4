import { describe, expect, it } from "vitest";
import { imageKey, treeFact } from "./key.ts";
import type { ImagePlan } from "./plan.ts";

const plan: ImagePlan = { id: "shell", copies: [], config: { env: {} }, refs: ["alpine:3"] };

describe("imageKey", () => {
  it("when the same inputs come in another order, then the key is the same", () => {
    expect(imageKey({ plan, facts: ["a", "b"] })).toBe(imageKey({ plan, facts: ["b", "a"] }));
  });

  it("when a fact, the plan or the base key changes, then the key changes", () => {
    const key = imageKey({ plan, facts: ["a"] });
    expect(imageKey({ plan, facts: ["a2"] })).not.toBe(key);
    expect(imageKey({ plan: { ...plan, refs: ["alpine:3.20"] }, facts: ["a"] })).not.toBe(key);
    expect(imageKey({ plan, facts: ["a"], baseKey: "b" })).not.toBe(key);
  });
});

describe("treeFact", () => {
  it("when files are listed in another order, then the fact is the same; when one changes, it differs", () => {
    const a = { path: "a", sha256: "1" };
    const b = { path: "b", sha256: "2" };
    expect(treeFact([a, b])).toBe(treeFact([b, a]));
    expect(treeFact([a, { ...b, sha256: "3" }])).not.toBe(treeFact([a, b]));
  });
});
