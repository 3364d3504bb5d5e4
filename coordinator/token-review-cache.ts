// TokenReview results kept for a few seconds, so a sidecar's watch, its log stream and its
// report cost one review between them. Keyed by a SHA-256 of token and audiences (the token
// itself is never kept); bounded, oldest entry dropped first. Only answers are cached: a
// review that failed (API error) is asked again next time.
import { createHash } from "node:crypto";
import type { V1TokenReviewStatus } from "@kubernetes/client-node";

export type ReviewToken = (token: string, audiences: string[]) => Promise<V1TokenReviewStatus>;

export interface TokenReviewCacheOptions {
  review: ReviewToken;
  nowMs: () => number;
  /** Short: a revoked token (its pod deleted) stays usable this long at most. */
  ttlMs?: number;
  maxEntries?: number;
}

const DEFAULT_REVIEW_TTL_MS = 10_000;
const DEFAULT_REVIEW_CACHE_ENTRIES = 1_000;

export function cachedTokenReview(options: TokenReviewCacheOptions): ReviewToken {
  const ttlMs = options.ttlMs ?? DEFAULT_REVIEW_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_REVIEW_CACHE_ENTRIES;
  const entries = new Map<string, { expiresAt: number; status: Promise<V1TokenReviewStatus> }>();

  return (token, audiences) => {
    const key = createHash("sha256")
      .update(`${audiences.join(",")}\n${token}`)
      .digest("hex");
    const now = options.nowMs();
    const hit = entries.get(key);
    if (hit !== undefined && hit.expiresAt > now) return hit.status;
    entries.delete(key);
    // The promise itself is cached, so concurrent requests with one token share one review.
    const status = options.review(token, audiences);
    status.catch(() => entries.delete(key));
    entries.set(key, { expiresAt: now + ttlMs, status });
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    return status;
  };
}
