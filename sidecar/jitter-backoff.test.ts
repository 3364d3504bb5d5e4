import { describe, expect, it } from "vitest";
import { backoffDelay } from "./jitter-backoff.ts";

const policy = { baseMs: 100, capMs: 1000 };

describe("backoffDelay", () => {
  it("when random is at its top, then the ceiling doubles per attempt up to the cap", () => {
    const top = (): number => 0.999999;
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it("when random is 0, then there is no wait (full jitter)", () => {
    expect(backoffDelay(7, policy, () => 0)).toBe(0);
  });

  it("when the attempt number is huge, then the delay stays finite and capped", () => {
    const delay = backoffDelay(10_000, policy, () => 0.5);
    expect(delay).toBe(policy.capMs / 2);
  });

  it("when sampled many times, then every delay lies in [0, ceiling)", () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelay(2, policy, random);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(400);
    }
  });
});
