// Unit tests of the bench's statistics (part of the unit vitest project).
import assert from "node:assert/strict";
import { test } from "vitest";
import { percentile, summarize } from "./stats.ts";

test("nearest-rank percentiles", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 50);
  assert.equal(percentile(sorted, 95), 95);
  assert.equal(percentile(sorted, 99), 99);
  assert.equal(percentile(sorted, 100), 100);
  assert.equal(percentile(sorted, 0), 1);
});

test("small samples take the upper value", () => {
  assert.equal(percentile([10], 99), 10);
  assert.equal(percentile([1, 2], 50), 1);
  assert.equal(percentile([1, 2], 51), 2);
  assert.equal(percentile([1, 2, 3, 4], 95), 4);
});

test("empty sample is NaN", () => {
  assert.ok(Number.isNaN(percentile([], 50)));
  const s = summarize([]);
  assert.equal(s.count, 0);
  assert.ok(Number.isNaN(s.p99));
});

test("summarize sorts, rounds and does not mutate its input", () => {
  const input = [30.04, 10, 20.06];
  const s = summarize(input);
  assert.deepEqual(input, [30.04, 10, 20.06]);
  assert.deepEqual(s, { count: 3, p50: 20.1, p95: 30, p99: 30, max: 30, mean: 20 });
});

test("histogram quantiles interpolate inside the bucket", async () => {
  const { histogramQuantile, parseHistogram, diffHistogram } = await import("./histogram.ts");
  const text = [
    'x_bucket{le="0.001"} 50',
    'x_bucket{le="0.01"} 90',
    'x_bucket{le="+Inf"} 100',
    "x_sum 0.5",
    "x_count 100",
  ].join("\n");
  const h = parseHistogram(text, "x");
  assert.equal(h.count, 100);
  assert.equal(histogramQuantile(h, 0.5), 0.001);
  assert.ok(Math.abs(histogramQuantile(h, 0.7) - 0.0055) < 1e-12);
  assert.equal(histogramQuantile(h, 0.99), 0.01);
  const empty = diffHistogram(h, h);
  assert.ok(Number.isNaN(histogramQuantile(empty, 0.5)));
});
