import { describe, expect, it } from "vitest";
import { followLog, type OpenLog } from "./log-follower.ts";
import { createLogTail } from "./log-tail.ts";
import { failureTracker } from "./give-up.ts";
import { manualClock, recordingLogger } from "./testing/fakes.ts";

const neverGiveUp = failureTracker("main's log", { maxRefusals: 3, giveUpAfterMs: Infinity }, () => 0);

const enc = (s: string): Uint8Array => Buffer.from(s);

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield enc(part);
}

async function* failing(after: string, message: string): AsyncIterable<Uint8Array> {
  yield enc(after);
  throw new Error(message);
}

function opener(streams: (() => AsyncIterable<Uint8Array>)[]): { open: OpenLog; opened: () => number } {
  let count = 0;
  return {
    open: async () => {
      const next = streams[count++];
      if (next === undefined) throw new Error("no more streams");
      return next();
    },
    opened: () => count,
  };
}

describe("followLog", () => {
  it("when the stream ends after main terminated, then everything is counted once and following stops", async () => {
    const tail = createLogTail(64);
    const { open, opened } = opener([() => chunks("a\n", "b\n")]);
    const follower = followLog({
      open,
      sink: tail,
      logger: recordingLogger().logger,
      delay: manualClock().delay,
      mainTerminated: Promise.resolve(),
      reopenMs: 1000,
      maxFailuresAfterExit: 3,
      failures: neverGiveUp,
    });
    await follower.done;
    expect([tail.text(), tail.bytes, tail.lines, opened()]).toEqual(["a\nb\n", 4, 2, 1]);
  });

  it("when a stream breaks mid-way while main runs, then it is reopened and the seen bytes are skipped", async () => {
    const tail = createLogTail(64);
    let finish: () => void = () => undefined;
    const mainTerminated = new Promise<void>((resolve) => (finish = resolve));
    const { open, opened } = opener([
      () => failing("one\ntw", "connection reset"),
      () => {
        finish();
        return chunks("one\n", "two\nthree\n");
      },
    ]);
    const { logger, lines } = recordingLogger();
    const clock = manualClock();
    const follower = followLog({
      open,
      sink: tail,
      logger,
      delay: clock.delay,
      mainTerminated,
      reopenMs: 500,
      maxFailuresAfterExit: 3,
      failures: neverGiveUp,
    });
    await follower.done;
    expect(tail.text()).toBe("one\ntwo\nthree\n");
    expect(tail.lines).toBe(3);
    expect(opened()).toBe(2);
    expect(lines.join("\n")).toContain("log stream failed, reopening");
    expect(lines.join("\n")).toContain("log stream reopened");
  });

  it("when the log cannot be opened after main exited, then it gives up after the allowed failures", async () => {
    const tail = createLogTail(64);
    const { open, opened } = opener([]);
    const { logger, lines } = recordingLogger();
    const follower = followLog({
      open,
      sink: tail,
      logger,
      delay: manualClock().delay,
      mainTerminated: Promise.resolve(),
      reopenMs: 10,
      maxFailuresAfterExit: 3,
      failures: neverGiveUp,
    });
    await new Promise((resolve) => setImmediate(resolve));
    await follower.done;
    expect(opened()).toBe(3);
    expect(lines.at(-1)).toContain("giving up on main's log");
  });

  it("when stopped, then following ends without reopening", async () => {
    const tail = createLogTail(64);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow(): AsyncIterable<Uint8Array> {
      yield enc("x");
      await gate;
      throw new Error("aborted");
    }
    const { open, opened } = opener([slow]);
    const follower = followLog({
      open,
      sink: tail,
      logger: recordingLogger().logger,
      delay: manualClock().delay,
      mainTerminated: new Promise(() => undefined),
      reopenMs: 10,
      maxFailuresAfterExit: 3,
      failures: neverGiveUp,
    });
    await new Promise((resolve) => setImmediate(resolve));
    follower.stop();
    release();
    await follower.done;
    expect(opened()).toBe(1);
    expect(tail.bytes).toBe(1);
  });
});

describe("followLog giving up", () => {
  it("when the log is refused 403 three times while main runs, then done says why and no more opens happen", async () => {
    const tail = createLogTail(64);
    let opens = 0;
    const refusal = Object.assign(new Error("GET /log answered 403: forbidden"), { statusCode: 403 });
    const follower = followLog({
      open: async () => {
        opens++;
        throw refusal;
      },
      sink: tail,
      logger: recordingLogger().logger,
      delay: manualClock().delay,
      mainTerminated: new Promise(() => undefined),
      reopenMs: 10,
      maxFailuresAfterExit: 3,
      failures: failureTracker("main's log", { maxRefusals: 3, giveUpAfterMs: 60_000 }, () => 0),
    });
    expect(await follower.done).toBe("main's log refused: GET /log answered 403: forbidden");
    expect(opens).toBe(3);
  });
});

describe("followLog garbage collection hook", () => {
  it("when many MiB stream through, then the hook is called once per MiB", async () => {
    const tail = createLogTail(64);
    const mib = Buffer.alloc(1024 * 1024, 0x61);
    async function* big(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 10; i++) yield mib;
    }
    let calls = 0;
    const follower = followLog({
      open: async () => big(),
      sink: tail,
      logger: recordingLogger().logger,
      delay: manualClock().delay,
      mainTerminated: Promise.resolve(),
      reopenMs: 10,
      maxFailuresAfterExit: 3,
      failures: neverGiveUp,
      collectGarbage: () => calls++,
    });
    await follower.done;
    expect(calls).toBe(10);
    expect(tail.bytes).toBe(10 * 1024 * 1024);
  });
});
