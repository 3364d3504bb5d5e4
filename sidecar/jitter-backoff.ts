// Exponential back-off with full jitter (AWS architecture blog, "Exponential Backoff And
// Jitter"): the delay before retry n is uniform in [0, min(cap, base * 2^n)). Pure.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** `attempt` counts failures so far (0 after the first failure); `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
