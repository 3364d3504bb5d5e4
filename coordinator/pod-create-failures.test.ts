import { describe, expect, it } from "vitest";
import { isPermanentCreateError, isQuotaExceeded, PodCreateFailures } from "./pod-create-failures.ts";

const apiError = (code: number, message = `HTTP ${code}`): Error =>
  Object.assign(new Error(`HTTP ${code}`), { code, body: JSON.stringify({ kind: "Status", message }) });
const QUOTA = 'pods "wf" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2';

describe("isPermanentCreateError", () => {
  it("when the API server says 400, 422 or 403, then asking again cannot help", () => {
    expect([400, 422, 403].map((c) => isPermanentCreateError(apiError(c)))).toEqual([true, true, true]);
  });

  it("when a 403 is the ResourceQuota's, then it is not for good: the pod waits for room", () => {
    expect(isPermanentCreateError(apiError(403, QUOTA))).toBe(false);
    expect(isQuotaExceeded(apiError(403, QUOTA))).toBe(true);
    expect(isQuotaExceeded(apiError(403, 'pods "wf" is forbidden: violates PodSecurity "restricted"'))).toBe(
      false,
    );
    expect(isQuotaExceeded(apiError(422, QUOTA))).toBe(false);
  });

  it("when it is AlreadyExists, throttling, a server or a network error, then it stays retryable", () => {
    const errors = [apiError(409), apiError(429), apiError(500), apiError(503), new Error("ECONNRESET")];
    expect(errors.map(isPermanentCreateError)).toEqual([false, false, false, false, false]);
  });
});

describe("PodCreateFailures", () => {
  it("when refusals are recorded, then they are handed out per workflow until forgotten", () => {
    const store = new PodCreateFailures();
    expect(store.of("ns/wf", "u1")).toBeUndefined();
    store.record("ns/wf", "u1", "wf", "400: bad");
    store.record("ns/wf", "u1", "wf-handler-1", "403: quota");
    store.record("ns/other", "u9", "other", "422: invalid");
    expect(store.of("ns/wf", "u1")).toEqual({ wf: "400: bad", "wf-handler-1": "403: quota" });
    expect(store.count("ns/wf")).toBe(2);
    store.forget("ns/wf");
    expect(store.of("ns/wf", "u1")).toBeUndefined();
    expect(store.of("ns/other", "u9")).toEqual({ other: "422: invalid" });
  });

  it("when a namesake with another uid asks, then it does not inherit the refusals", () => {
    const store = new PodCreateFailures();
    store.record("ns/wf", "old", "wf", "400: bad");
    expect(store.of("ns/wf", "new")).toBeUndefined();
    store.record("ns/wf", "new", "wf", "422: other");
    expect(store.of("ns/wf", "new")).toEqual({ wf: "422: other" });
  });

  it("when the API's message is very long, then it is cut to a bounded length", () => {
    const store = new PodCreateFailures();
    store.record("ns/wf", "u1", "wf", "x".repeat(5000));
    expect(store.of("ns/wf", "u1")?.wf?.length).toBe(1024);
  });

  it("when refusals of both kinds are recorded, then each is handed out on its own and a created pod clears its wait", () => {
    const store = new PodCreateFailures();
    expect(store.recordError("ns/wf", "u1", "wf-a", apiError(422, "invalid"))).toEqual({
      kind: "permanent",
      message: "422: invalid",
    });
    expect(store.recordError("ns/wf", "u1", "wf-b", apiError(403, QUOTA))).toEqual({
      kind: "quota",
      message: `403: ${QUOTA}`,
    });
    expect(store.recordError("ns/wf", "u1", "wf-c", apiError(500, "etcd"))).toBeUndefined();
    expect(store.of("ns/wf", "u1")).toEqual({ "wf-a": "422: invalid" });
    expect(store.awaitingQuota("ns/wf", "u1")).toEqual({ "wf-b": `403: ${QUOTA}` });
    expect(store.count("ns/wf")).toBe(2);
    store.clear("ns/wf", "wf-b");
    expect(store.awaitingQuota("ns/wf", "u1")).toBeUndefined();
    expect(store.of("ns/wf", "u1")).toEqual({ "wf-a": "422: invalid" });
  });
});
