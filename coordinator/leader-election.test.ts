import type { V1Lease } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { createLogger } from "../common/log.ts";
import { LeaderElector, leaseDecision, microTime, type LeaderElectionOptions } from "./leader-election.ts";
import { fakeTimers } from "./testing/fake-timers.ts";

describe("leaseDecision", () => {
  it("when we hold the lease, then we renew", () => {
    expect(
      leaseDecision({ holder: "me", identity: "me", observedAt: 0, leaseDurationMs: 15_000, now: 100_000 }),
    ).toBe("renew");
  });
  it("when nobody holds it, then we acquire", () => {
    expect(
      leaseDecision({ holder: "", identity: "me", observedAt: 0, leaseDurationMs: 15_000, now: 0 }),
    ).toBe("acquire");
    expect(
      leaseDecision({ holder: undefined, identity: "me", observedAt: 0, leaseDurationMs: 15_000, now: 0 }),
    ).toBe("acquire");
  });
  it("when another holds it, then we wait until the lease duration has passed since we saw it change", () => {
    expect(
      leaseDecision({
        holder: "other",
        identity: "me",
        observedAt: 1000,
        leaseDurationMs: 15_000,
        now: 15_999,
      }),
    ).toBe("wait");
    expect(
      leaseDecision({
        holder: "other",
        identity: "me",
        observedAt: 1000,
        leaseDurationMs: 15_000,
        now: 16_000,
      }),
    ).toBe("acquire");
  });
});

function fakeLeaseClient() {
  let lease: V1Lease | undefined;
  let rv = 0;
  let failing = false;
  const client: LeaderElectionOptions["client"] = {
    getLease: async () => {
      if (failing) throw new Error("apiserver down");
      return lease === undefined ? undefined : structuredClone(lease);
    },
    createLease: async (_ns, l) =>
      (lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } }),
    replaceLease: async (_ns, l) => {
      if (failing) throw new Error("apiserver down");
      if (l.metadata?.resourceVersion !== lease?.metadata?.resourceVersion)
        throw Object.assign(new Error("conflict"), { code: 409 });
      return (lease = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } });
    },
  };
  return { client, get: () => lease, setFailing: (v: boolean) => (failing = v) };
}

function elector(
  client: LeaderElectionOptions["client"],
  identity: string,
  timers: ReturnType<typeof fakeTimers>,
) {
  const events: string[] = [];
  const e = new LeaderElector({
    client,
    namespace: "onexit",
    name: "onexit-coordinator",
    identity,
    now: timers.now,
    delay: timers.delay,
    logger: createLogger({ write: () => undefined, now: () => new Date(0) }),
    onStartedLeading: () => events.push("started"),
    onStoppedLeading: () => {
      events.push("stopped");
    },
  });
  return { e, events };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe("microTime", () => {
  it("when a time is rendered for a Lease, then it has exactly six fractional digits", () => {
    expect(String(microTime(Date.parse("2026-11-23T10:50:30.343Z")))).toBe("2026-11-23T10:50:30.343000Z");
  });
});

describe("LeaderElector", () => {
  it("when no lease exists, then the first replica creates it and leads, and the second waits", async () => {
    const timers = fakeTimers(1_000_000);
    const api = fakeLeaseClient();
    const a = elector(api.client, "a", timers);
    const b = elector(api.client, "b", timers);
    expect(await a.e.tryAcquireOrRenew()).toBe(true);
    expect(await b.e.tryAcquireOrRenew()).toBe(false);
    expect(api.get()?.spec?.holderIdentity).toBe("a");
  });

  it("when the leader stops renewing, then another replica takes over only after the lease duration", async () => {
    const timers = fakeTimers(1_000_000);
    const api = fakeLeaseClient();
    const a = elector(api.client, "a", timers);
    const b = elector(api.client, "b", timers);
    await a.e.tryAcquireOrRenew();
    expect(await b.e.tryAcquireOrRenew()).toBe(false);
    timers.advance(14_999);
    expect(await b.e.tryAcquireOrRenew()).toBe(false);
    timers.advance(1);
    expect(await b.e.tryAcquireOrRenew()).toBe(true);
    expect(api.get()?.spec).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
  });

  it("when renewals fail for the renew deadline, then the leader steps down; and on abort it releases the lease", async () => {
    const timers = fakeTimers(1_000_000);
    const api = fakeLeaseClient();
    const a = elector(api.client, "a", timers);
    const stop = new AbortController();
    const running = a.e.run(stop.signal);
    await flush();
    expect(a.events).toEqual(["started"]);
    expect(a.e.isLeader()).toBe(true);
    api.setFailing(true);
    for (let i = 0; i < 4; i++) {
      timers.advance(2000);
      await flush();
    }
    expect(a.events).toEqual(["started"]);
    timers.advance(2000);
    await flush();
    expect(a.events).toEqual(["started", "stopped"]);
    api.setFailing(false);
    timers.advance(2000);
    await flush();
    expect(a.events).toEqual(["started", "stopped", "started"]);
    stop.abort();
    await running;
    expect(a.events.at(-1)).toBe("stopped");
    expect(api.get()?.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
  });
});
