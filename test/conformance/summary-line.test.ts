import { describe, expect, it } from "vitest";
import { conformanceSummary } from "./summary-line.ts";

const file = (tests: [string, string][], name = "/repo/test/e2e/conformance.test.ts") => ({
  name,
  assertionResults: tests.map(([title, status]) => ({ ancestorTitles: ["conformance"], title, status })),
});

describe("conformanceSummary", () => {
  it("when cases pass and fail, then the line counts the passing ones over all", () => {
    expect(
      conformanceSummary([
        file([
          ["case a", "passed"],
          ["case b", "failed"],
          ["case c", "passed"],
        ]),
      ]),
    ).toBe("2/3 conformance cases pass");
  });

  it("when a known gap still differs, then it counts as not passing and is named as a known gap", () => {
    expect(
      conformanceSummary([
        file([
          ["case a", "passed"],
          ["known gap b", "passed"],
        ]),
      ]),
    ).toBe("1/2 conformance cases pass (1 known gaps)");
  });

  it("when a known gap's test failed, then the case conforms and counts as passing", () => {
    expect(conformanceSummary([file([["known gap b", "failed"]])])).toBe("1/1 conformance cases pass");
  });

  it("when the report has no conformance file, then there is no line", () => {
    expect(
      conformanceSummary([file([["case a", "passed"]], "/repo/test/e2e/workflows.test.ts")]),
    ).toBeUndefined();
    expect(conformanceSummary([])).toBeUndefined();
  });
});
