import { describe, expect, it } from "vitest";
import { suspendDurationMs } from "./suspend.ts";

const template = (duration: unknown) => ({ name: "t", suspend: { duration } }) as never;

describe("suspendDurationMs", () => {
  it.each([
    ["20", 20_000],
    [20, 20_000],
    ["1m30s", 90_000],
    ["500ms", 500],
    ["0", 0],
  ])("when the duration is %j, then it is %d ms (Argo's ParseStringToDuration)", (duration, ms) => {
    expect(suspendDurationMs(template(duration), {})).toEqual({ ok: true, value: ms });
  });

  it("when there is no duration, then the node waits until resumed", () => {
    expect(suspendDurationMs({ name: "t", suspend: {} }, {})).toEqual({ ok: true, value: undefined });
    expect(suspendDurationMs(template(""), {})).toEqual({ ok: true, value: undefined });
  });

  it("when the duration uses a variable, then it is substituted first", () => {
    expect(suspendDurationMs(template("{{inputs.parameters.s}}"), { "inputs.parameters.s": "2m" })).toEqual({
      ok: true,
      value: 120_000,
    });
  });

  it("when the duration is not one, then the error names it", () => {
    expect(suspendDurationMs(template("two days"), {})).toEqual({
      ok: false,
      error: 'suspend.duration "two days" is not a duration',
    });
  });
});
