import { describe, expect, it } from "vitest";
import { MAX_LOG_TAIL_BYTES } from "../common/report.ts";
import { buildReport, type ReportInput } from "./report-builder.ts";

const base: ReportInput = {
  pod: { name: "p", namespace: "ns", uid: "u" },
  main: {
    phase: "terminated",
    exitCode: 1,
    reason: "Error",
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: new Date("2026-01-01T00:00:05Z"),
  },
  log: { bytes: 12, lines: 2, tail: "hello\nworld\n" },
  outputs: [{ name: "result", value: "42" }],
  now: new Date("2026-01-01T00:01:00Z"),
};

describe("buildReport", () => {
  it("when main failed, then the report carries its exit code, reason, times, log and outputs", () => {
    const result = buildReport(base);
    expect(result).toEqual({
      ok: true,
      report: {
        podName: "p",
        podUid: "u",
        namespace: "ns",
        exitCode: 1,
        reason: "Error",
        startedAt: "2026-01-01T00:00:00.000Z",
        finishedAt: "2026-01-01T00:00:05.000Z",
        logBytes: 12,
        logLines: 2,
        logTail: "hello\nworld\n",
        outputs: [{ name: "result", value: "42" }],
      },
    });
  });

  it("when the reason is missing, then it is Completed for 0 and Error otherwise", () => {
    const ok = buildReport({ ...base, main: { phase: "terminated", exitCode: 0 } });
    expect(ok.ok && ok.report.reason).toBe("Completed");
    const bad = buildReport({ ...base, main: { phase: "terminated", exitCode: 2 } });
    expect(bad.ok && bad.report.reason).toBe("Error");
  });

  it("when times are missing, then both fall back to now", () => {
    const result = buildReport({ ...base, main: { phase: "terminated", exitCode: 0 } });
    expect(result.ok && [result.report.startedAt, result.report.finishedAt]).toEqual([
      "2026-01-01T00:01:00.000Z",
      "2026-01-01T00:01:00.000Z",
    ]);
  });

  it("when the exit code is out of range, then 255 is reported and the message says why", () => {
    const result = buildReport({ ...base, main: { phase: "terminated", exitCode: -1, message: "boom" } });
    expect(result.ok && result.report.exitCode).toBe(255);
    expect(result.ok && result.report.message).toBe("boom; exit code -1 reported as 255");
  });

  it("when the termination message is huge, then it is cut to fit", () => {
    const result = buildReport({
      ...base,
      main: { phase: "terminated", exitCode: 1, message: "m".repeat(10_000) },
    });
    expect(result.ok && result.report.message?.length).toBe(4096);
  });

  it("when the tail is over the limit, then the schema refuses it (the tail keeps it under)", () => {
    const result = buildReport({
      ...base,
      log: { bytes: 1, lines: 1, tail: "x".repeat(MAX_LOG_TAIL_BYTES + 1) },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("logTail");
  });
});
