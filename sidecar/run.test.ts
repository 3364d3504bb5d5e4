// The whole sidecar story with every effect faked: watch events, the log stream, the
// outputs volume, the coordinator and the clock. No network, no real timers.
import { describe, expect, it } from "vitest";
import type { SidecarConfig } from "./config.ts";
import type { PostResult } from "./reporter.ts";
import { createSidecar, DEFAULT_TIMING, type SidecarResult } from "./run.ts";
import {
  fakeWatch,
  logChannel,
  podWithMain,
  recordingLogger,
  running,
  settle,
  steppedClock,
  terminated,
} from "./testing/fakes.ts";

const config: SidecarConfig = {
  pod: { name: "p", namespace: "ns", uid: "uid-1" },
  workflow: "wf",
  nodeId: "wf-1",
  coordinatorUrl: "https://coordinator",
  coordinatorCa: "",
  tokenFile: "/token",
  deadlineSeconds: 60,
  outputsDir: "/out",
  logLevel: "info",
  artifactPlan: "",
};

function setup(answers: PostResult[] = [{ status: 200, body: "{}" }]) {
  const watch = fakeWatch();
  const log = logChannel();
  const clock = steppedClock();
  const { logger, lines } = recordingLogger();
  const posts: { body: unknown; token: string }[] = [];
  const shutdown = new AbortController();
  let logOpens = 0;
  const files: Record<string, string> = { "d0/result": "42\n" };
  const sidecar = createSidecar({
    config,
    logger,
    watch: watch.watch,
    openLog: async () => {
      logOpens++;
      return log.stream;
    },
    readOutput: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error("missing"), { code: "ENOENT" });
      return { data: Buffer.from(text), mtimeMs: 1 };
    },
    post: async (body, token) => {
      posts.push({ body: JSON.parse(body), token });
      return answers.shift() ?? { status: 200, body: "" };
    },
    readToken: async () => "report-token",
    now: () => new Date("2026-01-01T00:05:00Z"),
    nowMs: clock.nowMs,
    delay: clock.delay,
    random: () => 0.5,
    shutdown: shutdown.signal,
    timing: DEFAULT_TIMING,
  });
  let result: SidecarResult | undefined;
  const finished = sidecar.run().then((r) => (result = r));
  return {
    watch,
    log,
    clock,
    lines,
    posts,
    shutdown,
    finished,
    result: () => result,
    logOpens: () => logOpens,
    sidecar,
  };
}

const outputsAnnotation = {
  "onexit.dev/outputs": JSON.stringify([
    { name: "result", path: "d0/result" },
    { name: "gone", path: "d1/gone" },
  ]),
};

describe("sidecar run", () => {
  it("when main runs, logs and fails, then the report carries exit code, log counts, tail and outputs, and the story is logged", async () => {
    const t = setup();
    await settle();
    t.watch.emit("ADDED", podWithMain("p", { waiting: { reason: "ContainerCreating" } }));
    await settle();
    expect(t.logOpens()).toBe(0);
    t.watch.emit("MODIFIED", podWithMain("p", running));
    await settle();
    t.log.push("hello\n");
    t.log.push("world\n");
    t.log.push("ünïcode\n");
    t.watch.emit("MODIFIED", podWithMain("p", terminated(1), outputsAnnotation));
    await settle();
    t.log.end();
    await t.finished;

    expect(t.posts).toHaveLength(1);
    expect(t.posts[0]).toEqual({
      token: "report-token",
      body: {
        podName: "p",
        podUid: "uid-1",
        namespace: "ns",
        exitCode: 1,
        reason: "Error",
        startedAt: "2026-01-01T00:00:00.000Z",
        finishedAt: "2026-01-01T00:00:02.500Z",
        logBytes: Buffer.byteLength("hello\nworld\nünïcode\n"),
        logLines: 3,
        logTail: "hello\nworld\nünïcode\n",
        outputs: [{ name: "result", value: "42" }],
      },
    });
    expect(t.result()?.outcome).toEqual({ kind: "acknowledged", attempt: 1, latencyMs: 0 });
    const story = t.lines.map((l) => l.replace(/^time=\S+ /, ""));
    expect(story).toEqual([
      "level=info msg=starting pod=p namespace=ns workflow=wf nodeId=wf-1 coordinator=https://coordinator",
      'level=info msg="capturing logs" container=main state=running',
      'level=info msg="main exited" exitCode=1 reason=Error duration=2.500s',
      'level=info msg="log captured" bytes=22 lines=3',
      'level=warn msg="output parameter skipped" warning="output gone: cannot read d1/gone (ENOENT)"',
      'level=info msg="outputs read" count=1 of=2',
      "level=info msg=reported attempt=1 latencyMs=0",
    ]);
  });

  it("when main already terminated at start, then the whole log is read and reported", async () => {
    const t = setup();
    await settle();
    t.watch.emit("ADDED", podWithMain("p", terminated(0)));
    await settle();
    t.log.push("done\n");
    t.log.end();
    await t.finished;
    expect(t.posts[0]?.body).toMatchObject({ exitCode: 0, reason: "Completed", logBytes: 5, logLines: 1 });
  });

  it("when the log stream stays open after main exited, then the drain is bounded and the report still goes", async () => {
    const t = setup();
    await settle();
    t.watch.emit("ADDED", podWithMain("p", running));
    await settle();
    t.log.push("partial\n");
    t.watch.emit("MODIFIED", podWithMain("p", terminated(0)));
    await settle();
    expect(t.posts).toHaveLength(0);
    await t.clock.advance(DEFAULT_TIMING.drainMs);
    await t.finished;
    expect(t.posts[0]?.body).toMatchObject({ logBytes: 8, logTail: "partial\n" });
    expect(t.lines.join("\n")).toContain("log stream still open after main exited");
  });

  it("when SIGTERM comes before main started, then nothing is reported", async () => {
    const t = setup();
    await settle();
    t.watch.emit("ADDED", podWithMain("p", { waiting: { reason: "ContainerCreating" } }));
    t.shutdown.abort();
    await t.finished;
    expect(t.posts).toEqual([]);
    expect(t.result()).toEqual({ skipped: "main never started" });
  });

  it("when SIGTERM comes while main runs and main then exits, then its exit is reported", async () => {
    const t = setup();
    await settle();
    t.watch.emit("ADDED", podWithMain("p", running));
    await settle();
    t.shutdown.abort();
    await settle();
    t.log.push("bye\n");
    t.log.end();
    t.watch.emit("MODIFIED", podWithMain("p", terminated(143)));
    await t.finished;
    expect(t.posts[0]?.body).toMatchObject({ exitCode: 143, logBytes: 4 });
    expect(t.lines.join("\n")).toContain("SIGTERM received");
  });

  it("when SIGTERM comes and main does not exit within half the grace period, then it leaves without a report", async () => {
    const t = setup();
    await settle();
    t.watch.emit("ADDED", podWithMain("p", running));
    await settle();
    t.shutdown.abort();
    await settle();
    await t.clock.advance(14_000);
    await t.finished;
    expect(t.posts).toEqual([]);
    expect(t.result()?.skipped).toBe("main did not terminate within the grace period");
    expect(t.sidecar.graceEndMs()).toBe(30_000 - DEFAULT_TIMING.graceMarginMs);
  });

  it("when the coordinator refuses the report with 403, then the run ends without retrying", async () => {
    const t = setup([{ status: 403, body: "token is for another pod" }]);
    await settle();
    t.watch.emit("ADDED", podWithMain("p", terminated(0)));
    await settle();
    t.log.end();
    await t.finished;
    expect(t.posts).toHaveLength(1);
    expect(t.result()?.outcome).toEqual({ kind: "refused", attempt: 1, status: 403 });
    expect(t.result()?.failure).toBe("report refused by the coordinator (HTTP 403)");
  });

  it("when the pod watch is refused 403 again and again, then the run ends after three attempts saying why", async () => {
    const t = setup();
    const refused = Object.assign(
      new Error("GET /v1/kube/api/v1/namespaces/ns/pods answered 403: not yours"),
      {
        statusCode: 403,
      },
    );
    for (let i = 0; i < 3; i++) {
      await settle();
      t.watch.end(refused);
      await settle();
      await t.clock.advance(DEFAULT_TIMING.backoff.capMs);
    }
    await t.finished;
    expect(t.watch.connections).toHaveLength(3);
    expect(t.posts).toEqual([]);
    expect(t.result()?.failure).toBe(
      "pod watch refused: GET /v1/kube/api/v1/namespaces/ns/pods answered 403: not yours",
    );
  });

  it("when main's log is refused while main runs, then the run ends without waiting for main", async () => {
    const watch = fakeWatch();
    const clock = steppedClock();
    const sidecar = createSidecar({
      config,
      logger: recordingLogger().logger,
      watch: watch.watch,
      openLog: async () => {
        throw Object.assign(new Error("GET /log answered 404: pod gone"), { statusCode: 404 });
      },
      readOutput: async () => ({ data: Buffer.from(""), mtimeMs: 0 }),
      post: async () => ({ status: 200, body: "" }),
      readToken: async () => "t",
      now: () => new Date(0),
      nowMs: clock.nowMs,
      delay: clock.delay,
      random: () => 0.5,
      shutdown: new AbortController().signal,
      timing: DEFAULT_TIMING,
    });
    const finished = sidecar.run();
    await settle();
    watch.emit("ADDED", podWithMain("p", running));
    for (let i = 0; i < 3; i++) await clock.advance(DEFAULT_TIMING.reopenMs);
    expect(await finished).toEqual({
      skipped: "main's log refused: GET /log answered 404: pod gone",
      failure: "main's log refused: GET /log answered 404: pod gone",
    });
  });
});
