import { describe, expect, it } from "vitest";
import { CacheExpectations } from "./expectations.ts";

describe("CacheExpectations", () => {
  it("when nothing was written, then every key is satisfied", () => {
    expect(new CacheExpectations({ now: () => 0 }).satisfied("ns/a", "1", () => false)).toBe(true);
  });

  it("when the cache still holds the version we wrote over, then the key waits until it moves on", () => {
    const e = new CacheExpectations({ now: () => 0 });
    e.wroteWorkflow("ns/a", "7");
    expect(e.satisfied("ns/a", "7", () => true)).toBe(false);
    expect(e.satisfied("ns/a", "8", () => true)).toBe(true);
    expect(e.satisfied("ns/a", "7", () => true)).toBe(true);
  });

  it("when a reconcile found the cache behind, then the key is awaited until the cache catches up", () => {
    const e = new CacheExpectations({ now: () => 0 });
    e.wroteWorkflow("ns/a", "7");
    expect(e.awaited("ns/a")).toBe(false);
    expect(e.satisfied("ns/a", "7", () => true)).toBe(false);
    expect(e.awaited("ns/a")).toBe(true);
    expect(e.satisfied("ns/a", "8", () => true)).toBe(true);
    expect(e.awaited("ns/a")).toBe(false);
  });

  it("when one reconcile wrote several versions, then every one of them counts as stale", () => {
    const e = new CacheExpectations({ now: () => 0 });
    e.wroteWorkflow("ns/a", "7");
    e.wroteWorkflow("ns/a", "8");
    expect(e.satisfied("ns/a", "7", () => true)).toBe(false);
    expect(e.satisfied("ns/a", "8", () => true)).toBe(false);
    expect(e.satisfied("ns/a", "9", () => true)).toBe(true);
  });

  it("when a created pod is not in the cache yet, then the key waits until it appears", () => {
    const e = new CacheExpectations({ now: () => 0 });
    e.createdPod("ns/a", "p1");
    e.createdPod("ns/a", "p2");
    const inCache = new Set(["p1"]);
    expect(e.satisfied("ns/a", "1", (n) => inCache.has(n))).toBe(false);
    inCache.add("p2");
    expect(e.satisfied("ns/a", "1", (n) => inCache.has(n))).toBe(true);
  });

  it("when an expectation is older than the timeout, then it is dropped", () => {
    let now = 0;
    const e = new CacheExpectations({ now: () => now, timeoutMs: 1000 });
    e.createdPod("ns/a", "p1");
    now = 1001;
    expect(e.satisfied("ns/a", "1", () => false)).toBe(true);
  });
});
