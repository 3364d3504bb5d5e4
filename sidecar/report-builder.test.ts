import { describe, expect, it } from "vitest";
import {
  MAX_LOG_TAIL_BYTES,
  MAX_MESSAGE_LENGTH,
  MAX_OUTPUT_VALUE_BYTES,
  MAX_OUTPUTS,
  MAX_REASON_LENGTH,
  parseReport,
} from "../common/report.ts";
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
    const report = buildReport(base);
    expect(report).toEqual({
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
    });
    expect(parseReport(report)).toEqual({ ok: true, report });
  });

  it("when the reason is missing, then it is Completed for 0 and Error otherwise", () => {
    const ok = buildReport({ ...base, main: { phase: "terminated", exitCode: 0 } });
    expect(ok.reason).toBe("Completed");
    const bad = buildReport({ ...base, main: { phase: "terminated", exitCode: 2 } });
    expect(bad.reason).toBe("Error");
  });

  it("when times are missing, then both fall back to now", () => {
    const result = buildReport({ ...base, main: { phase: "terminated", exitCode: 0 } });
    expect([result.startedAt, result.finishedAt]).toEqual([
      "2026-01-01T00:01:00.000Z",
      "2026-01-01T00:01:00.000Z",
    ]);
  });

  it("when the exit code is out of range, then 255 is reported and the message says why", () => {
    const result = buildReport({ ...base, main: { phase: "terminated", exitCode: -1, message: "boom" } });
    expect(result.exitCode).toBe(255);
    expect(result.message).toBe("boom; exit code -1 reported as 255");
    expect(parseReport(result).ok).toBe(true);
  });

  it("when the termination message is huge, then it is cut to fit", () => {
    const result = buildReport({
      ...base,
      main: { phase: "terminated", exitCode: 1, message: "m".repeat(10_000) },
    });
    expect(result.message?.length).toBe(4096);
    expect(parseReport(result).ok).toBe(true);
  });

  it("when every input is over its limit, then the report is still one the coordinator accepts", () => {
    const report = buildReport({
      pod: base.pod,
      main: {
        phase: "terminated",
        exitCode: 300,
        reason: "r".repeat(MAX_REASON_LENGTH + 1),
        message: "m".repeat(MAX_MESSAGE_LENGTH + 1),
        startedAt: "not a date",
        finishedAt: new Date(8.64e15),
      },
      // A multi-byte character cut at the limit must not leave a partial one behind.
      log: { bytes: 1e9, lines: 1e7, tail: "é".repeat(MAX_LOG_TAIL_BYTES) },
      outputs: [
        { name: "too-big", value: "v".repeat(MAX_OUTPUT_VALUE_BYTES + 1) },
        { name: "n".repeat(254), value: "long name" },
        { name: "", value: "no name" },
        ...Array.from({ length: MAX_OUTPUTS + 5 }, (_, i) => ({ name: `o${i}`, value: "é".repeat(8192) })),
      ],
      now: base.now,
    });
    const parsed = parseReport(report);
    expect(parsed).toEqual({ ok: true, report });
    expect(report.exitCode).toBe(255);
    expect(report.reason).toHaveLength(MAX_REASON_LENGTH);
    expect(report.message).toHaveLength(MAX_MESSAGE_LENGTH);
    expect([report.startedAt, report.finishedAt]).toEqual([base.now.toISOString(), base.now.toISOString()]);
    expect(Buffer.byteLength(report.logTail)).toBe(MAX_LOG_TAIL_BYTES);
    expect(report.logTail).toBe("é".repeat(MAX_LOG_TAIL_BYTES / 2));
    expect(report.outputs.map((o) => o.name)).toEqual(Array.from({ length: MAX_OUTPUTS }, (_, i) => `o${i}`));
  });

  it("when the tail is over the limit, then only its last bytes are kept, cut on a character boundary", () => {
    const report = buildReport({
      ...base,
      log: { bytes: 1, lines: 1, tail: "ab" + "€".repeat(MAX_LOG_TAIL_BYTES / 3) + "z" },
    });
    expect(Buffer.byteLength(report.logTail)).toBeLessThanOrEqual(MAX_LOG_TAIL_BYTES);
    expect(report.logTail.endsWith("€z")).toBe(true);
    expect(report.logTail.startsWith("€")).toBe(true);
    expect(parseReport(report).ok).toBe(true);
  });
});
