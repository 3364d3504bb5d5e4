// Golden files: every testdata/<case>.json AdmissionReview has a <case>.golden.json holding
// the outcome, the response, the patch operations and the patched pod. UPDATE_GOLDEN=1 rewrites them.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyOps, patchOf, runReview, withObject } from "./testing/reviews.ts";

const dir = join(import.meta.dirname, "testdata");
const update = process.env.UPDATE_GOLDEN === "1";
const files = readdirSync(dir).sort();
const inputs = files.filter((f) => f.endsWith(".json") && !f.endsWith(".golden.json"));
const goldens = files.filter((f) => f.endsWith(".golden.json"));

function load(file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as unknown;
}

function actual(body: unknown): unknown {
  const result = runReview(body);
  const ops = patchOf(result);
  const { patch, ...response } = result.review.response;
  const object = (body as { request: { object?: unknown } }).request.object;
  return {
    outcome: result.outcome,
    response: patch === undefined ? response : { ...response, patch: "<base64 of the operations below>" },
    operations: ops,
    pod: ops.length > 0 ? applyOps(object, ops) : null,
  };
}

describe("golden AdmissionReviews", () => {
  it("when the test data is listed, then every golden file has its input (no orphans)", () => {
    const orphans = goldens.filter((g) => !inputs.includes(g.replace(/\.golden\.json$/, ".json")));
    expect(orphans).toEqual([]);
    expect(inputs.length).toBeGreaterThanOrEqual(9);
  });

  for (const input of inputs) {
    const name = input.replace(/\.json$/, "");
    const goldenPath = join(dir, `${name}.golden.json`);

    it(`when ${name} is reviewed, then the answer matches ${name}.golden.json`, () => {
      const got = actual(load(input));
      if (update) writeFileSync(goldenPath, JSON.stringify(got, null, 2) + "\n");
      expect(existsSync(goldenPath), `missing ${name}.golden.json (run with UPDATE_GOLDEN=1)`).toBe(true);
      expect(got).toEqual(JSON.parse(readFileSync(goldenPath, "utf8")));
    });

    it(`when ${name}'s patch is applied and reviewed again, then there is nothing more to change`, () => {
      const body = load(input);
      const first = runReview(body);
      const ops = patchOf(first);
      if (ops.length === 0) return;
      const patched = applyOps((body as { request: { object: unknown } }).request.object, ops);
      const second = runReview(withObject(body, patched));
      expect(second.review.response.allowed).toBe(true);
      expect(second.review.response.patch).toBeUndefined();
      expect(second.outcome).toBe("skipped");
    });
  }
});
