// Percentiles of a sample, pure. Nearest-rank on the sorted values: p-th percentile is the
// smallest value with at least p% of the sample at or below it (no interpolation).

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending-sorted values; NaN for an empty sample. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0] as number;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

/** Rounds to 0.1 (milliseconds are the unit everywhere in the bench). */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, v) => total + v, 0);
  return {
    count: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p95: round1(percentile(sorted, 95)),
    p99: round1(percentile(sorted, 99)),
    max: round1(sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number)),
    mean: round1(sorted.length === 0 ? Number.NaN : sum / sorted.length),
  };
}
