import { describe, expect, it } from "vitest";
import { createLogger } from "../common/log.ts";
import { Informer, type ChangeType } from "./informer.ts";
import type { ListResult, WatchEventType } from "./kube-client.ts";
import { fakeTimers } from "./testing/fake-timers.ts";

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> };
}

const obj = (name: string, rv: string, owner = "wf"): Obj => ({
  metadata: { name, namespace: "ns", resourceVersion: rv, labels: { owner } },
});

interface Harness {
  informer: Informer<Obj>;
  timers: ReturnType<typeof fakeTimers>;
  changes: string[];
  lists: ListResult<Obj>[];
  listCalls: () => number;
  watches: {
    rv: string;
    event: (t: WatchEventType, o: Obj) => void;
    done: (err: unknown) => void;
    aborted: boolean;
  }[];
  flush: () => Promise<void>;
  warnings: string[];
}

function harness(failFirstList = false): Harness {
  const timers = fakeTimers(0);
  const changes: string[] = [];
  const lists: ListResult<Obj>[] = [];
  const warnings: string[] = [];
  let listCalls = 0;
  const watches: Harness["watches"] = [];
  const informer = new Informer<Obj>({
    name: "test",
    relistIntervalMs: 300_000,
    now: timers.now,
    delay: timers.delay,
    logger: createLogger({
      write: (l) => (l.includes("level=warn") ? warnings.push(l) : 0),
      now: () => new Date(0),
    }),
    onChange: (type: ChangeType, o) =>
      changes.push(`${type} ${o.metadata.name}@${o.metadata.resourceVersion}`),
    indexBy: (o) => o.metadata.labels?.owner,
    source: {
      list: async () => {
        listCalls++;
        if (failFirstList && listCalls === 1) throw Object.assign(new Error("boom"), { code: 500 });
        return lists.shift() ?? { items: [], resourceVersion: "1" };
      },
      watch: async (rv, event, done) => {
        const w = { rv, event, done, aborted: false };
        watches.push(w);
        return { abort: () => (w.aborted = true) };
      },
    },
  });
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { informer, timers, changes, lists, listCalls: () => listCalls, watches, flush, warnings };
}

describe("Informer", () => {
  it("when it starts, then it lists, reports adds, is synced and watches from the list's version", async () => {
    const h = harness();
    h.lists.push({ items: [obj("a", "5"), obj("b", "6")], resourceVersion: "10" });
    h.informer.start();
    await h.flush();
    expect(h.changes).toEqual(["add a@5", "add b@6"]);
    expect(h.informer.hasSynced()).toBe(true);
    expect(h.watches.map((w) => w.rv)).toEqual(["10"]);
    expect(h.informer.byIndex("wf").map((o) => o.metadata.name)).toEqual(["a", "b"]);
    await h.informer.stop();
  });

  it("when watch events arrive, then the cache and index follow and unchanged versions are ignored", async () => {
    const h = harness();
    h.informer.start();
    await h.flush();
    const w = h.watches[0]!;
    w.event("ADDED", obj("a", "11"));
    w.event("MODIFIED", obj("a", "11"));
    w.event("MODIFIED", obj("a", "12", "other"));
    expect(h.informer.byIndex("wf")).toEqual([]);
    expect(h.informer.byIndex("other").length).toBe(1);
    w.event("DELETED", obj("a", "13", "other"));
    expect(h.changes).toEqual(["add a@11", "update a@12", "delete a@13"]);
    expect(h.informer.get("ns", "a")).toBeUndefined();
    await h.informer.stop();
  });

  it("when the watch fails, then it backs off 1 s, 2 s, 4 s and relists each time", async () => {
    const h = harness();
    h.informer.start();
    await h.flush();
    for (const expected of [1000, 2000, 4000]) {
      h.watches.at(-1)!.done(Object.assign(new Error("reset"), { code: 500 }));
      await h.flush();
      expect(h.timers.pending()[0]).toBe(expected);
      h.timers.advance(expected);
      await h.flush();
    }
    expect(h.listCalls()).toBe(4);
    expect(h.warnings.length).toBe(3);
    await h.informer.stop();
  });

  it("when the first list fails, then it retries after the back-off and syncs", async () => {
    const h = harness(true);
    h.informer.start();
    await h.flush();
    expect(h.informer.hasSynced()).toBe(false);
    h.timers.advance(1000);
    await h.flush();
    expect(h.informer.hasSynced()).toBe(true);
    await h.informer.stop();
  });

  it("when the watch reports 410 Gone, then it relists at once and reports deletes of vanished objects", async () => {
    const h = harness();
    h.lists.push({ items: [obj("a", "1"), obj("b", "1")], resourceVersion: "2" });
    h.lists.push({ items: [obj("a", "3")], resourceVersion: "4" });
    h.informer.start();
    await h.flush();
    h.watches[0]!.event("ERROR", { code: 410 } as unknown as Obj);
    h.watches[0]!.done(null);
    await h.flush();
    expect(h.changes).toEqual(["add a@1", "add b@1", "delete b@1", "update a@3"]);
    expect(h.watches.at(-1)!.rv).toBe("4");
    await h.informer.stop();
  });

  it("when the relist interval passes, then the watch is cut and the informer lists again", async () => {
    const h = harness();
    h.informer.start();
    await h.flush();
    h.timers.advance(299_999);
    await h.flush();
    expect(h.listCalls()).toBe(1);
    h.timers.advance(1);
    await h.flush();
    expect(h.watches[0]!.aborted).toBe(true);
    expect(h.listCalls()).toBe(2);
    expect(h.watches.length).toBe(2);
    await h.informer.stop();
  });

  it("when a watch times out on the client, then it resumes from the last version without listing", async () => {
    const h = harness();
    h.informer.start();
    await h.flush();
    h.watches[0]!.event("ADDED", obj("a", "7"));
    h.watches[0]!.done(Object.assign(new Error("timeout"), { name: "TimeoutError" }));
    await h.flush();
    expect(h.listCalls()).toBe(1);
    expect(h.watches.at(-1)!.rv).toBe("7");
    await h.informer.stop();
  });

  it("when stopped, then the watch is aborted and the loop ends", async () => {
    const h = harness();
    h.informer.start();
    await h.flush();
    await h.informer.stop();
    expect(h.watches[0]!.aborted).toBe(true);
  });
});
