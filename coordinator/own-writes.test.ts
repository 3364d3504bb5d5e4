import { describe, expect, it } from "vitest";
import { OwnWrites } from "./own-writes.ts";

describe("OwnWrites", () => {
  it("when the event of a version we wrote arrives, then it is ours once", () => {
    const own = new OwnWrites();
    own.wrote("ns/a", "5");
    expect(own.consume("ns/a", "5")).toBe(true);
    expect(own.consume("ns/a", "5")).toBe(false);
    expect(own.size()).toBe(0);
  });

  it("when a version is someone else's, then it is not ours and ours stay known", () => {
    const own = new OwnWrites();
    own.wrote("ns/a", "5");
    expect(own.consume("ns/a", "6")).toBe(false);
    expect(own.consume("ns/b", "5")).toBe(false);
    expect(own.consume("ns/a", undefined)).toBe(false);
    expect(own.consume("ns/a", "5")).toBe(true);
  });

  it("when a later version of ours is seen, then the earlier ones are dropped (their events were coalesced)", () => {
    const own = new OwnWrites();
    for (const v of ["5", "6", "7"]) own.wrote("ns/a", v);
    expect(own.consume("ns/a", "6")).toBe(true);
    expect(own.consume("ns/a", "5")).toBe(false);
    expect(own.consume("ns/a", "7")).toBe(true);
  });

  it("when many writes are never seen, then only the last few are kept, and forget drops them", () => {
    const own = new OwnWrites();
    for (let v = 1; v <= 20; v++) own.wrote("ns/a", String(v));
    expect(own.consume("ns/a", "12")).toBe(false);
    own.wrote("ns/b", "1");
    own.forget("ns/a");
    own.forget("ns/b");
    expect(own.size()).toBe(0);
  });
});
