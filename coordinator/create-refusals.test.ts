import { describe, expect, it } from "vitest";
import { isPermanentCreateError, isQuotaExceeded, CreateRefusals } from "./create-refusals.ts";
import type { WorkflowKey } from "../common/workflow-key.ts";

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

const refusals = (store: CreateRefusals, key: WorkflowKey, uid: string) =>
  store.factsOf(key, uid).podCreateFailures;

describe("CreateRefusals", () => {
  it("when refusals are recorded, then they are handed out per workflow until forgotten", () => {
    const store = new CreateRefusals();
    expect(store.factsOf("ns/wf", "u1")).toEqual({});
    store.record("ns/wf", "u1", "wf", "400: bad");
    store.record("ns/wf", "u1", "wf-handler-1", "403: policy");
    store.record("ns/other", "u9", "other", "422: invalid");
    expect(refusals(store, "ns/wf", "u1")).toEqual({ wf: "400: bad", "wf-handler-1": "403: policy" });
    expect(store.count("ns/wf")).toBe(2);
    store.forget("ns/wf");
    expect(store.factsOf("ns/wf", "u1")).toEqual({});
    expect(refusals(store, "ns/other", "u9")).toEqual({ other: "422: invalid" });
  });

  it("when a namesake with another uid asks, then it does not inherit the records", () => {
    const store = new CreateRefusals();
    store.record("ns/wf", "old", "wf", "400: bad");
    store.recordForeign("ns/wf", "old", { kind: "Pod", name: "wf" });
    expect(store.factsOf("ns/wf", "new")).toEqual({});
    store.record("ns/wf", "new", "wf", "422: other");
    expect(store.factsOf("ns/wf", "new")).toEqual({ podCreateFailures: { wf: "422: other" } });
  });

  it("when the API's message is very long, then it is cut to a bounded length", () => {
    const store = new CreateRefusals();
    store.record("ns/wf", "u1", "wf", "x".repeat(5000));
    expect(refusals(store, "ns/wf", "u1")?.wf?.length).toBe(1024);
  });

  it("when creates fail for good, for a while, or meet someone else's objects, then each reaches the engine in its own field and a created pod clears its wait", () => {
    const store = new CreateRefusals();
    expect(store.recordError("ns/wf", "u1", "wf-a", apiError(422, "invalid"))).toEqual({
      kind: "permanent",
      message: "422: invalid",
    });
    expect(store.recordError("ns/wf", "u1", "wf-b", apiError(403, QUOTA))).toEqual({
      kind: "wait",
      message: `403: ${QUOTA}`,
    });
    expect(store.recordError("ns/wf", "u1", "wf-c", apiError(500, "etcd"))).toEqual({
      kind: "wait",
      message: "pod not created yet, retrying: 500: etcd",
    });
    expect(store.recordError("ns/wf", "u1", "wf-d", apiError(409))).toBeUndefined();
    store.recordForeign("ns/wf", "u1", { kind: "ConfigMap", name: "wf-onexit-logs" });
    store.recordConfigMapRefusal("ns/wf", "u1", "wf-onexit-logs-1", "403: terminating");
    expect(store.factsOf("ns/wf", "u1")).toEqual({
      podCreateFailures: { "wf-a": "422: invalid" },
      podsAwaitingCreate: { "wf-b": `403: ${QUOTA}`, "wf-c": "pod not created yet, retrying: 500: etcd" },
      foreignObjects: [{ kind: "ConfigMap", name: "wf-onexit-logs" }],
      configMapCreateFailures: { "wf-onexit-logs-1": "403: terminating" },
    });
    expect(store.count("ns/wf")).toBe(5);
    store.clear("ns/wf", "wf-b");
    store.clear("ns/wf", "wf-c");
    expect(store.factsOf("ns/wf", "u1").podsAwaitingCreate).toBeUndefined();
  });

  it("when a status was too long to store, then the engine is told once per incarnation and it counts as a new fact", () => {
    const store = new CreateRefusals();
    store.recordStatusTooLarge("ns/wf", "u1", "workflow is longer than maximum allowed size");
    store.recordStatusTooLarge("ns/wf", "u1", "workflow is longer than maximum allowed size");
    expect(store.factsOf("ns/wf", "u1")).toEqual({
      statusTooLarge: "workflow is longer than maximum allowed size",
    });
    expect(store.count("ns/wf")).toBe(1);
    expect(store.factsOf("ns/wf", "u2")).toEqual({});
  });
});
