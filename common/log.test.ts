import { describe, expect, it } from "vitest";
import { createLogger, formatLine, logfmtValue, type LogLevel } from "./log.ts";

describe("logger", () => {
  it("when a value has spaces or quotes, then it is quoted and escaped", () => {
    expect(logfmtValue("plain")).toBe("plain");
    expect(logfmtValue("two words")).toBe('"two words"');
    expect(logfmtValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(logfmtValue("")).toBe('""');
    expect(logfmtValue("a=b")).toBe('"a=b"');
  });

  it("when fields are given, then the line is time, level, msg, then the fields in order", () => {
    const line = formatLine(new Date("2026-01-02T03:04:05Z"), "info", "reconciled", { key: "ns/wf", ms: 3 });
    expect(line).toBe("time=2026-01-02T03:04:05.000Z level=info msg=reconciled key=ns/wf ms=3");
  });

  it("when a child logger is made, then its fields appear on every line and undefined ones are dropped", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l), now: () => new Date(0) }).child({
      component: "c",
    });
    log.warn("x y", { skipped: undefined, n: 1 });
    log.debug("hidden");
    expect(lines).toEqual(['time=1970-01-01T00:00:00.000Z level=warn msg="x y" component=c n=1\n']);
  });

  it("when a level is set, then lines below it are dropped, for children too", () => {
    const written = (level: LogLevel | undefined): string[] => {
      const lines: string[] = [];
      const log = createLogger({ write: (l) => lines.push(l), now: () => new Date(0), level }).child({
        c: 1,
      });
      log.debug("d");
      log.info("i");
      log.warn("w");
      log.error("e");
      return lines.map((l) => /level=(\w+)/.exec(l)?.[1] ?? "");
    };
    expect(written("debug")).toEqual(["debug", "info", "warn", "error"]);
    expect(written(undefined)).toEqual(["info", "warn", "error"]);
    expect(written("info")).toEqual(["info", "warn", "error"]);
    expect(written("warn")).toEqual(["warn", "error"]);
    expect(written("error")).toEqual(["error"]);
  });
});
