import { describe, expect, it } from "vitest";
import { failureTracker } from "./give-up.ts";

const refused = (status: number): Error =>
  Object.assign(new Error(`GET /x answered ${status}: no`), { statusCode: status });

function tracker(policy = { maxRefusals: 3, giveUpAfterMs: 10_000 }) {
  let now = 0;
  const t = failureTracker("pod watch", policy, () => now);
  return { t, advance: (ms: number) => (now += ms) };
}

describe("failureTracker", () => {
  it.each([401, 403, 404])("when %d comes three times in a row, then it gives up saying so", (status) => {
    const { t } = tracker();
    expect(t.failed(refused(status))).toBeUndefined();
    expect(t.failed(refused(status))).toBeUndefined();
    expect(t.failed(refused(status))).toBe(`pod watch refused: GET /x answered ${status}: no`);
  });

  it("when a refusal is followed by a success, then the count starts again", () => {
    const { t } = tracker();
    t.failed(refused(403));
    t.failed(refused(403));
    t.succeeded();
    expect(t.failed(refused(403))).toBeUndefined();
  });

  it("when transient errors go on, then it retries until they have lasted the whole deadline", () => {
    const { t, advance } = tracker();
    expect(t.failed(new Error("ECONNREFUSED"))).toBeUndefined();
    advance(9_999);
    expect(t.failed(refused(503))).toBeUndefined();
    advance(1);
    expect(t.failed(new Error("ECONNREFUSED"))).toBe("pod watch failing for 10s: ECONNREFUSED");
  });

  it("when a success comes between transient errors, then the deadline starts again", () => {
    const { t, advance } = tracker();
    t.failed(new Error("x"));
    advance(9_000);
    t.succeeded();
    t.failed(new Error("x"));
    advance(9_000);
    expect(t.failed(new Error("x"))).toBeUndefined();
  });

  it("when a transient error comes between refusals, then the refusals are no longer in a row", () => {
    const { t } = tracker();
    t.failed(refused(403));
    t.failed(refused(403));
    t.failed(refused(500));
    expect(t.failed(refused(403))).toBeUndefined();
  });
});
