import { describe, expect, it } from "vitest";
import { failureTracker } from "./give-up.ts";
import { mainTerminated } from "./main-container.ts";
import { watchOwnPod } from "./pod-watcher.ts";
import {
  fakeWatch,
  manualClock,
  podWithMain,
  recordingLogger,
  running,
  settle,
  terminated,
} from "./testing/fakes.ts";

function setup() {
  const fake = fakeWatch();
  const clock = manualClock();
  const { logger, lines } = recordingLogger();
  const watcher = watchOwnPod({
    watch: fake.watch,
    namespace: "ns",
    name: "p",
    logger,
    delay: clock.delay,
    random: () => 0.5,
    policy: { baseMs: 100, capMs: 1000 },
    failures: failureTracker("pod watch", { maxRefusals: 3, giveUpAfterMs: 60_000 }, clock.nowMs),
  });
  return { fake, clock, lines, watcher };
}

describe("watchOwnPod", () => {
  it("when started, then it watches only its own pod by field selector", async () => {
    const { fake, watcher } = setup();
    await settle();
    expect(fake.connections[0]).toEqual({
      path: "/api/v1/namespaces/ns/pods",
      query: { fieldSelector: "metadata.name=p", timeoutSeconds: 25 },
    });
    watcher.stop();
  });

  it("when the pod reaches the awaited state, then until() resolves with that version", async () => {
    const { fake, watcher } = setup();
    await settle();
    const done = watcher.until(mainTerminated);
    fake.emit("ADDED", podWithMain("p", running));
    fake.emit("MODIFIED", podWithMain("p", terminated(2)));
    const pod = await done;
    expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(2);
    watcher.stop();
  });

  it("when the state was already reached, then until() resolves at once", async () => {
    const { fake, watcher } = setup();
    await settle();
    fake.emit("ADDED", podWithMain("p", terminated(0)));
    expect(await watcher.until(mainTerminated)).toBeDefined();
    watcher.stop();
  });

  it("when events are bookmarks, errors or other pods, then they are ignored", async () => {
    const { fake, watcher, lines } = setup();
    await settle();
    fake.emit("BOOKMARK", { metadata: { resourceVersion: "5" } });
    fake.emit("ADDED", podWithMain("other", terminated(0)));
    fake.emit("ERROR", { code: 410, reason: "Expired" });
    expect(watcher.latest()).toBeUndefined();
    expect(lines.join("\n")).toContain("pod watch error event");
    watcher.stop();
  });

  it("when the connection ends cleanly, then it reconnects at once; on errors, with back-off", async () => {
    const { fake, clock, watcher, lines } = setup();
    await settle();
    fake.end(null);
    await settle();
    expect(fake.connections).toHaveLength(2);
    expect(clock.delays).toEqual([]);
    fake.end(new Error("connection reset"));
    await settle();
    fake.end(new Error("connection reset"));
    await settle();
    expect(fake.connections).toHaveLength(4);
    expect(clock.delays).toEqual([50, 100]);
    expect(lines.filter((l) => l.includes("pod watch failed"))).toHaveLength(2);
    watcher.stop();
  });

  it("when the signal aborts while waiting, then until() resolves undefined", async () => {
    const { watcher } = setup();
    const controller = new AbortController();
    const waiting = watcher.until(mainTerminated, controller.signal);
    controller.abort();
    expect(await waiting).toBeUndefined();
    watcher.stop();
  });

  it("when stopped, then pending waiters resolve undefined and no reconnect happens", async () => {
    const { fake, watcher } = setup();
    await settle();
    const waiting = watcher.until(mainTerminated);
    watcher.stop();
    expect(await waiting).toBeUndefined();
    fake.end(null);
    await settle();
    expect(fake.connections).toHaveLength(1);
  });

  it("when the watch is refused 403 three times, then it stops and waiters get the reason", async () => {
    const { fake, watcher, lines } = setup();
    await settle();
    const waiting = watcher.until(mainTerminated).catch((err: unknown) => err);
    const refused = Object.assign(new Error("GET /v1/kube/api/v1/namespaces/ns/pods answered 403: no"), {
      statusCode: 403,
    });
    for (let i = 0; i < 3; i++) {
      fake.end(refused);
      await settle();
    }
    expect(await waiting).toMatchObject({
      name: "SidecarFailure",
      reason: "pod watch refused: GET /v1/kube/api/v1/namespaces/ns/pods answered 403: no",
    });
    expect(fake.connections).toHaveLength(3);
    await expect(watcher.until(mainTerminated)).rejects.toMatchObject({ name: "SidecarFailure" });
    expect(lines.join("\n")).toContain("giving up on the pod watch");
  });

  it("when the coordinator stays unreachable past the deadline, then it gives up saying for how long", async () => {
    const { fake, watcher } = setup();
    await settle();
    const waiting = watcher.until(mainTerminated);
    const failure = waiting.catch((err: { reason: string }) => err.reason);
    for (let i = 0; i < 200 && fake.connections.length === i + 1; i++) {
      fake.end(new Error("connect ECONNREFUSED"));
      await settle();
    }
    expect(await failure).toMatch(/^pod watch failing for \d+s: connect ECONNREFUSED$/);
  });
});
