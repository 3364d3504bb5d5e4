import { describe, expect, it } from "vitest";
import { fakeTimers } from "./testing/fake-timers.ts";
import { WorkQueue } from "./workqueue.ts";

function setup(): { queue: WorkQueue; timers: ReturnType<typeof fakeTimers> } {
  const timers = fakeTimers(1000);
  return { queue: new WorkQueue({ ...timers, baseDelayMs: 10, maxDelayMs: 100 }), timers };
}

describe("WorkQueue", () => {
  it("when a key is added twice before a worker takes it, then it is handed out once", async () => {
    const { queue } = setup();
    queue.add("ns/a");
    queue.add("ns/a");
    queue.add("ns/b");
    expect(queue.len()).toBe(2);
    expect((await queue.get())?.key).toBe("ns/a");
    expect((await queue.get())?.key).toBe("ns/b");
    expect(queue.len()).toBe(0);
  });

  it("when a key is added while it is processed, then it is not handed out until done, then once", async () => {
    const { queue } = setup();
    queue.add("ns/a");
    const first = await queue.get();
    queue.add("ns/a");
    expect(queue.len()).toBe(0);
    let second: string | undefined;
    void queue.get().then((item) => (second = item?.key));
    await Promise.resolve();
    expect(second).toBeUndefined();
    queue.done(first?.key ?? "");
    await Promise.resolve();
    expect(second).toBe("ns/a");
  });

  it("when the key is added again later, then `since` is the first time it became dirty", async () => {
    const { queue, timers } = setup();
    queue.add("ns/a");
    timers.advance(50);
    queue.add("ns/a");
    expect(await queue.get()).toEqual({ key: "ns/a", since: 1000 });
  });

  it("when a retried item carries its original since, then the earlier time is kept", async () => {
    const { queue, timers } = setup();
    timers.advance(500);
    queue.add("ns/a", 1200);
    queue.add("ns/a", 1100);
    expect(await queue.get()).toEqual({ key: "ns/a", since: 1100 });
  });

  it("when a key fails repeatedly, then its delay doubles up to the cap and forget resets it", () => {
    const { queue } = setup();
    const delays = [1, 2, 3, 4, 5].map(() => queue.addRateLimited("ns/a"));
    expect(delays).toEqual([10, 20, 40, 80, 100]);
    queue.forget("ns/a");
    expect(queue.addRateLimited("ns/a")).toBe(10);
  });

  it("when a delayed add is due, then the key is queued and an earlier deadline wins", async () => {
    const { queue, timers } = setup();
    queue.addAfter("ns/a", 100);
    queue.addAfter("ns/a", 30);
    queue.addAfter("ns/a", 60);
    expect(timers.pending()).toEqual([30]);
    timers.advance(29);
    expect(queue.len()).toBe(0);
    timers.advance(1);
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toEqual({ key: "ns/a", since: 1030 });
  });

  it("when coalesced changes come within the delay, then the key is added once, with the first change's time", async () => {
    const { queue, timers } = setup();
    queue.addCoalesced("ns/a", 100);
    timers.advance(40);
    queue.addCoalesced("ns/a", 100);
    queue.addCoalesced("ns/a", 100);
    expect(timers.pending()).toEqual([60]);
    timers.advance(59);
    expect(queue.len()).toBe(0);
    timers.advance(1);
    expect(await queue.get()).toEqual({ key: "ns/a", since: 1000 });
    expect(timers.pending()).toEqual([]);
  });

  it("when a key is added while a coalesced change waits, then it is taken at once and the waiting add is dropped", async () => {
    const { queue, timers } = setup();
    queue.addCoalesced("ns/a", 100);
    timers.advance(10);
    queue.add("ns/a");
    expect(await queue.get()).toEqual({ key: "ns/a", since: 1010 });
    expect(timers.pending()).toEqual([]);
    queue.done("ns/a");
    timers.advance(200);
    expect(queue.len()).toBe(0);
  });

  it("when a coalesced change comes while the key is queued, then nothing more is scheduled", () => {
    const { queue, timers } = setup();
    queue.add("ns/a");
    queue.addCoalesced("ns/a", 100);
    expect(timers.pending()).toEqual([]);
    expect(queue.len()).toBe(1);
  });

  it("when a coalesced change comes while the key is processed, then it is added after the delay", async () => {
    const { queue, timers } = setup();
    queue.add("ns/a");
    await queue.get();
    queue.addCoalesced("ns/a", 100);
    queue.done("ns/a");
    expect(queue.len()).toBe(0);
    timers.advance(100);
    expect(queue.len()).toBe(1);
  });

  it("when the queue shuts down, then waiting workers get undefined and timers are cancelled", async () => {
    const { queue, timers } = setup();
    const waiting = queue.get();
    queue.addAfter("ns/a", 10);
    queue.addCoalesced("ns/c", 10);
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    expect(timers.pending()).toEqual([]);
    queue.add("ns/b");
    expect(await queue.get()).toBeUndefined();
  });
});
