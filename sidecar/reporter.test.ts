import { describe, expect, it } from "vitest";
import type { Report } from "../common/report.ts";
import { sendReport, type PostResult, type ReporterOptions } from "./reporter.ts";
import { manualClock, recordingLogger } from "./testing/fakes.ts";

const report: Report = {
  podName: "p",
  podUid: "u",
  namespace: "ns",
  exitCode: 0,
  reason: "Completed",
  startedAt: "2026-01-01T00:00:00Z",
  finishedAt: "2026-01-01T00:00:01Z",
  logBytes: 0,
  logLines: 0,
  logTail: "",
  outputs: [],
};

function setup(answers: (PostResult | Error)[], overrides: Partial<ReporterOptions> = {}) {
  const clock = manualClock();
  const { logger, lines } = recordingLogger();
  const calls: { body: string; token: string }[] = [];
  let tokenReads = 0;
  const options: ReporterOptions = {
    post: async (body, token) => {
      calls.push({ body, token });
      const answer = answers.shift() ?? { status: 200, body: "" };
      if (answer instanceof Error) throw answer;
      return answer;
    },
    readToken: async () => `token-${++tokenReads}\n`,
    logger,
    nowMs: clock.nowMs,
    delay: clock.delay,
    random: () => 0.5,
    policy: { baseMs: 100, capMs: 1000 },
    deadlineMs: () => 60_000,
    attemptTimeoutMs: 5_000,
    ...overrides,
  };
  return { options, calls, lines, clock };
}

describe("sendReport", () => {
  it("when the coordinator answers 200 at once, then one attempt is made and logged", async () => {
    const { options, calls, lines } = setup([{ status: 200, body: "{}" }]);
    expect(await sendReport(report, options)).toEqual({ kind: "acknowledged", attempt: 1, latencyMs: 0 });
    expect(JSON.parse(calls[0]!.body)).toEqual(report);
    expect(calls[0]!.token).toBe("token-1");
    expect(lines).toEqual(["time=1970-01-01T00:00:00.000Z level=info msg=reported attempt=1 latencyMs=0"]);
  });

  it("when attempts fail with 503 and network errors, then it backs off with jitter and re-reads the token", async () => {
    const { options, calls, clock } = setup([
      { status: 503, body: "busy" },
      new Error("ECONNREFUSED"),
      { status: 200, body: "" },
    ]);
    expect(await sendReport(report, options)).toMatchObject({ kind: "acknowledged", attempt: 3 });
    expect(clock.delays).toEqual([50, 100]);
    expect(calls.map((c) => c.token)).toEqual(["token-1", "token-2", "token-3"]);
  });

  it("when the answer is 401, then it is retried (the token may not be valid yet)", async () => {
    const { options } = setup([
      { status: 401, body: "" },
      { status: 200, body: "" },
    ]);
    expect((await sendReport(report, options)).kind).toBe("acknowledged");
  });

  it("when the answer is 400 or 403, then it gives up at once and says why", async () => {
    for (const status of [400, 403]) {
      const { options, calls, lines } = setup([{ status, body: "pod mismatch" }]);
      expect(await sendReport(report, options)).toEqual({ kind: "refused", attempt: 1, status });
      expect(calls).toHaveLength(1);
      expect(lines.at(-1)).toContain('error="pod mismatch"');
    }
  });

  it("when the deadline would pass before the next attempt, then it stops", async () => {
    const failing = Array.from({ length: 100 }, () => new Error("down"));
    const { options, calls } = setup(failing, { deadlineMs: () => 1_000, random: () => 0.999 });
    const outcome = await sendReport(report, options);
    expect(outcome.kind).toBe("deadline");
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.length).toBeLessThan(10);
  });

  it("when reading the token fails, then that attempt counts as failed and is retried", async () => {
    let reads = 0;
    const { options } = setup([], {
      readToken: async () => {
        if (++reads === 1) throw new Error("ENOENT");
        return "t";
      },
    });
    expect(await sendReport(report, options)).toMatchObject({ kind: "acknowledged", attempt: 2 });
  });
});
