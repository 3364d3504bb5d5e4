import type { V1TokenReviewStatus } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { cachedTokenReview } from "./token-review-cache.ts";

function recorder(fail = false) {
  const calls: string[] = [];
  const review = async (token: string): Promise<V1TokenReviewStatus> => {
    calls.push(token);
    if (fail) throw new Error("api down");
    return { authenticated: true, user: { username: token } };
  };
  return { calls, review };
}

describe("cachedTokenReview", () => {
  it("when one token is reviewed twice within the TTL, then the API is asked once", async () => {
    const r = recorder();
    let now = 0;
    const cached = cachedTokenReview({ review: r.review, nowMs: () => now, ttlMs: 1000 });
    await cached("t1", ["aud"]);
    now = 999;
    expect(await cached("t1", ["aud"])).toEqual({ authenticated: true, user: { username: "t1" } });
    expect(r.calls).toEqual(["t1"]);
  });

  it("when the TTL passed, then the token is reviewed again", async () => {
    const r = recorder();
    let now = 0;
    const cached = cachedTokenReview({ review: r.review, nowMs: () => now, ttlMs: 1000 });
    await cached("t1", ["aud"]);
    now = 1000;
    await cached("t1", ["aud"]);
    expect(r.calls).toEqual(["t1", "t1"]);
  });

  it("when two requests with one token arrive together, then they share one review", async () => {
    const r = recorder();
    const cached = cachedTokenReview({ review: r.review, nowMs: () => 0 });
    await Promise.all([cached("t1", ["aud"]), cached("t1", ["aud"])]);
    expect(r.calls).toEqual(["t1"]);
  });

  it("when another audience is asked, then it is a separate entry", async () => {
    const r = recorder();
    const cached = cachedTokenReview({ review: r.review, nowMs: () => 0 });
    await cached("t1", ["a"]);
    await cached("t1", ["b"]);
    expect(r.calls).toHaveLength(2);
  });

  it("when more tokens than the bound are seen, then the oldest is forgotten first", async () => {
    const r = recorder();
    const cached = cachedTokenReview({ review: r.review, nowMs: () => 0, maxEntries: 2 });
    for (const t of ["t1", "t2", "t3", "t2", "t1"]) await cached(t, ["aud"]);
    expect(r.calls).toEqual(["t1", "t2", "t3", "t1"]);
  });

  it("when the review itself failed, then the failure is not cached", async () => {
    const r = recorder(true);
    const cached = cachedTokenReview({ review: r.review, nowMs: () => 0 });
    await expect(cached("t1", ["aud"])).rejects.toThrow("api down");
    await expect(cached("t1", ["aud"])).rejects.toThrow("api down");
    expect(r.calls).toEqual(["t1", "t1"]);
  });
});
