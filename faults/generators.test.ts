// The generators must yield only bad input: checked offline against the very parsers the
// coordinator and the webhook run, so a row in `make faults` never fails for a generator's sake.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseReport } from "../common/report.ts";
import { validateWorkflow } from "../coordinator/engine/validate/validate.ts";
import type { Workflow } from "../coordinator/engine/index.ts";
import { decodeReview } from "../webhook/admission.ts";
import { reviewAdmission } from "../webhook/review.ts";
import { testInjectConfig } from "../webhook/testing/reviews.ts";
import { badReview, brokenReport, brokenWorkflow, notJson, validReport } from "./generators.ts";

const pod = { namespace: "ns", podName: "wf-1", podUid: "0b0c-uid" };

describe("bad-input generators", () => {
  it("when a report is well formed, then the schema takes it (the base the breakers start from)", () => {
    expect(parseReport(validReport(pod)).ok).toBe(true);
  });

  it("when a report is generated broken, then the schema refuses it", () => {
    fc.assert(
      fc.property(brokenReport(pod), (report) => {
        expect(parseReport(report).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("when text is generated as not JSON, then JSON.parse refuses it", () => {
    fc.assert(
      fc.property(notJson, (text) => {
        expect(() => JSON.parse(text) as unknown).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it("when an AdmissionReview is generated bad, then it is malformed or its pod is denied", () => {
    fc.assert(
      fc.property(badReview, (review) => {
        const decoded = decodeReview(review.body);
        if (review.kind === "envelope") {
          expect(decoded.ok).toBe(false);
          return;
        }
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        const result = reviewAdmission(decoded.request, testInjectConfig);
        expect(result.review.response.allowed).toBe(false);
        expect(result.review.response.status?.message).toBeTruthy();
      }),
      { numRuns: 500 },
    );
  });

  it("when a workflow spec is generated broken, then validation names its field", () => {
    fc.assert(
      fc.property(brokenWorkflow, ({ spec, field }) => {
        const workflow = { metadata: { name: "w" }, spec } as unknown as Workflow;
        expect(validateWorkflow(workflow)).toContain(field);
      }),
      { numRuns: 500 },
    );
  });
});
