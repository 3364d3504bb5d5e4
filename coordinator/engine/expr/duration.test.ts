import { describe, expect, it } from "vitest";
import { humanizeDuration, parseArgoDuration } from "./duration.ts";

describe("parseArgoDuration (Argo's ParseStringToDuration)", () => {
  it.each([
    ["1", 1_000],
    ["10", 10_000],
    ["+5", 5_000],
    ["0", 0],
    ["-0", 0],
    ["-3", -3_000],
    ["500ms", 500],
    ["1m30s", 90_000],
    ["2h45m", 9_900_000],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["5.s", 5_000],
    ["-1m", -60_000],
    ["1500us", 1.5],
    ["1500\u00b5s", 1.5],
    ["2000000ns", 2],
  ])("when the text is %j, then it is %d ms", (text, ms) => {
    expect(parseArgoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(["", "abc", "1x", "1.5", "5 s", " 5", "s", ".s", "1e3s", "1h 30m", "3000000h"])(
    "when the text is %j, then it is not a duration",
    (text) => {
      expect(parseArgoDuration(text)).toBeUndefined();
    },
  );
});

describe("humanizeDuration (Argo's humanize.Duration)", () => {
  it.each([
    [0, "0 seconds"],
    [500, "0 seconds"],
    [1_000, "1 second"],
    [1_999, "1 second"],
    [2_000, "2 seconds"],
    [4_000, "4 seconds"],
    [59_999, "59 seconds"],
    [60_000, "1 minute 0 seconds"],
    [90_000, "1 minute 30 seconds"],
    [150_000, "2 minutes 30 seconds"],
    [3_599_000, "59 minutes 59 seconds"],
    [3_600_000, "1 hour 0 minutes"],
    [5_400_000, "1 hour 30 minutes"],
    [36_000_000, "10 hours 0 minutes"],
    [86_400_000, "1 day 0 hours"],
    [50 * 3_600_000, "2 days 2 hours"],
    [8 * 86_400_000, "1 week 0 hours"],
    [21 * 86_400_000, "3 weeks 0 hours"],
    [40 * 86_400_000, "1 month 0 hours"],
    [400 * 86_400_000 + 5 * 3_600_000, "1 year 5 hours"],
  ])("when the duration is %d ms, then it reads %j", (ms, text) => {
    expect(humanizeDuration(ms)).toBe(text);
  });
});
