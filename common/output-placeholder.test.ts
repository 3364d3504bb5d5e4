import { describe, expect, it } from "vitest";
import { isUntouchedPlaceholder } from "./output-placeholder.ts";

describe("isUntouchedPlaceholder", () => {
  it("when the file is empty and dated at the epoch, then main never wrote it", () => {
    expect(isUntouchedPlaceholder({ size: 0, mtimeMs: 0 })).toBe(true);
  });

  it("when the file is empty but dated later, then main wrote an empty value", () => {
    expect(isUntouchedPlaceholder({ size: 0, mtimeMs: 1_700_000_000_000 })).toBe(false);
  });

  it("when the file has content, then it is an output whatever its date", () => {
    expect(isUntouchedPlaceholder({ size: 3, mtimeMs: 0 })).toBe(false);
  });
});
