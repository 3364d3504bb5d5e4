import { describe, expect, it } from "vitest";
import { MAX_TERMINATION_MESSAGE_CHARS, terminationLine } from "./termination-message.ts";

describe("terminationLine", () => {
  it("when the reason spans lines, then it becomes one line", () => {
    expect(terminationLine("pod watch refused:\n  GET /x answered 403\n")).toBe(
      "pod watch refused: GET /x answered 403",
    );
  });

  it("when the reason is long, then it is cut with an ellipsis within the bound", () => {
    const line = terminationLine("x".repeat(2000));
    expect(line).toHaveLength(MAX_TERMINATION_MESSAGE_CHARS);
    expect(line.endsWith("...")).toBe(true);
  });

  it("when the reason is empty, then a generic line is written", () => {
    expect(terminationLine(" ")).toBe("sidecar failed");
  });
});
