import { describe, expect, it } from "vitest";
import {
  formatTimestamp,
  LineSplitter,
  MAX_RECORD_CONTENT,
  normalizeTime,
  parseLogOptions,
  parseRecord,
  renderRecord,
} from "./log-format.ts";

const NOW = 1_767_225_600_123_456_789n; // 2026-01-01T00:00:00.123456789Z

describe("formatTimestamp", () => {
  it("when given nanoseconds, then it prints nine fraction digits in UTC", () => {
    expect(formatTimestamp(NOW)).toBe("2026-01-01T00:00:00.123456789Z");
    expect(formatTimestamp(1_767_225_600_000_000_000n)).toBe("2026-01-01T00:00:00.000000000Z");
  });
});

describe("normalizeTime", () => {
  it("when the time has an offset or a short fraction, then it becomes fixed-width UTC", () => {
    expect(normalizeTime("2026-01-01T01:00:00.5+01:00")).toBe("2026-01-01T00:00:00.500000000Z");
    expect(normalizeTime("2026-01-01T00:00:00Z")).toBe("2026-01-01T00:00:00.000000000Z");
    expect(normalizeTime("yesterday")).toBeUndefined();
  });
});

describe("parseRecord / renderRecord", () => {
  it("when a full record is rendered with timestamps, then the timestamp prefixes the line", () => {
    const rec = parseRecord(Buffer.from("2026-01-01T00:00:00.000000001Z stdout F hello world"));
    expect(rec?.stream).toBe("stdout");
    expect(renderRecord(rec!, true).toString()).toBe("2026-01-01T00:00:00.000000001Z hello world\n");
    expect(renderRecord(rec!, false).toString()).toBe("hello world\n");
  });

  it("when a partial record is rendered, then no newline is added", () => {
    const rec = parseRecord(Buffer.from("2026-01-01T00:00:00.000000001Z stderr P abc"));
    expect(renderRecord(rec!, false).toString()).toBe("abc");
  });

  it("when the record has an empty line, then its content is empty", () => {
    expect(parseRecord(Buffer.from("2026-01-01T00:00:00.000000001Z stdout F "))?.content.length).toBe(0);
    expect(parseRecord(Buffer.from("garbage"))).toBeUndefined();
  });
});

describe("parseLogOptions", () => {
  it("when all options are given, then they are typed", () => {
    const o = parseLogOptions(
      new URLSearchParams("follow=true&timestamps=1&tailLines=5&limitBytes=10&previous=false"),
      NOW,
    );
    expect(o).toEqual({ follow: true, timestamps: true, previous: false, tailLines: 5, limitBytes: 10 });
  });

  it("when sinceSeconds is given, then since is now minus that", () => {
    const o = parseLogOptions(new URLSearchParams("sinceSeconds=60"), NOW);
    expect(o).toMatchObject({ since: "2025-12-31T23:59:00.123456789Z" });
  });

  it("when sinceTime is given, then it is normalized", () => {
    expect(parseLogOptions(new URLSearchParams("sinceTime=2026-01-01T00:00:00Z"), NOW)).toMatchObject({
      since: "2026-01-01T00:00:00.000000000Z",
    });
  });

  it("when a number is invalid, then an error says which", () => {
    expect(parseLogOptions(new URLSearchParams("tailLines=-1"), NOW)).toBeInstanceOf(Error);
    expect(String(parseLogOptions(new URLSearchParams("limitBytes=x"), NOW))).toContain("limitBytes");
  });
});

describe("LineSplitter", () => {
  it("when lines arrive split across chunks, then whole lines come out", () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from("he")).map((r) => r.content.toString())).toEqual([]);
    expect(s.push(Buffer.from("llo\nwor")).map((r) => r.content.toString())).toEqual(["hello"]);
    expect(s.flush()).toEqual([{ content: Buffer.from("wor"), partial: false }]);
  });

  it("when a line is longer than the record limit, then it is split into partial records", () => {
    const s = new LineSplitter();
    const out = s.push(Buffer.from(`${"x".repeat(MAX_RECORD_CONTENT + 5)}\n`));
    expect(out.map((r) => [r.content.length, r.partial])).toEqual([
      [MAX_RECORD_CONTENT, true],
      [5, false],
    ]);
  });
});
