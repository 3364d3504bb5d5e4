import { describe, expect, it } from "vitest";
import { MAX_LOG_TAIL_BYTES, parseReport, reportFromAnnotation } from "./report.ts";

const valid = {
  podName: "wf",
  podUid: "0b6c2f5e-1111-2222-3333-444455556666",
  namespace: "default",
  exitCode: 1,
  reason: "Error",
  startedAt: "2026-11-23T10:00:00Z",
  finishedAt: "2026-11-23T10:00:01.5Z",
  logBytes: 12,
  logLines: 1,
  logTail: "failed step\n",
};

describe("parseReport", () => {
  it("when the report is well formed, then it parses with outputs defaulting to []", () => {
    const result = parseReport(valid);
    expect(result).toEqual({ ok: true, report: { ...valid, outputs: [] } });
  });

  it("when fields are wrong, then the error names each field", () => {
    const result = parseReport({ ...valid, exitCode: -1, startedAt: "yesterday" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain("exitCode");
      expect(result.error).toContain("startedAt");
    }
  });

  it("when an unknown field is present, then the report is refused", () => {
    expect(parseReport({ ...valid, extra: 1 }).ok).toBe(false);
  });

  it("when the log tail is over the limit, then the report is refused", () => {
    const result = parseReport({ ...valid, logTail: "x".repeat(MAX_LOG_TAIL_BYTES + 1) });
    expect(result.ok).toBe(false);
  });

  it("when the input is not an object, then the error says so", () => {
    const result = parseReport("nope");
    expect(result.ok).toBe(false);
  });

  it("when the stored annotation is corrupt, then it reads as absent", () => {
    expect(reportFromAnnotation("{not json")).toBeUndefined();
    expect(reportFromAnnotation(JSON.stringify(valid))?.exitCode).toBe(1);
  });
});
