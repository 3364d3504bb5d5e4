import { describe, expect, it } from "vitest";
import { allocate, numberToIp, rangeFor, release, retain, type IpamState } from "./ip-allocator.ts";

const range = rangeFor("10.250.0.0/16", "10.250.1.0");
const empty: IpamState = { next: range.first, allocated: {} };

describe("ip allocator", () => {
  it("when the range is computed, then it starts at the offset and ends before broadcast", () => {
    expect(numberToIp(range.first)).toBe("10.250.1.0");
    expect(numberToIp(range.last)).toBe("10.250.255.254");
  });

  it("when two pods ask, then they get consecutive addresses from 10.250.1.0", () => {
    const a = allocate(empty, "a", range);
    const b = allocate(a.state, "b", range);
    expect([a.ip, b.ip]).toEqual(["10.250.1.0", "10.250.1.1"]);
  });

  it("when an owner asks again, then it keeps its address", () => {
    const a = allocate(empty, "a", range);
    expect(allocate(a.state, "a", range).ip).toBe(a.ip);
  });

  it("when an address is released, then it is not reused before the cursor wraps", () => {
    const a = allocate(empty, "a", range);
    const freed = release(a.state, "a");
    expect(allocate(freed, "b", range).ip).toBe("10.250.1.1");
  });

  it("when the cursor is at the end, then allocation wraps around to free addresses", () => {
    const small = rangeFor("10.0.0.0/30", "10.0.0.1"); // .1 and .2
    const a = allocate({ next: small.first, allocated: {} }, "a", small);
    const b = allocate(a.state, "b", small);
    const c = allocate(release(b.state, "a"), "c", small);
    expect(c.ip).toBe("10.0.0.1");
    expect(() => allocate(c.state, "d", small)).toThrow(/exhausted/);
  });

  it("when retaining live owners, then others are dropped", () => {
    const a = allocate(empty, "a", range);
    const b = allocate(a.state, "b", range);
    expect(Object.values(retain(b.state, new Set(["b"])).allocated)).toEqual(["b"]);
  });
});
