// When a sidecar stops retrying, pure. A refusal that cannot change (401/403/404 from the
// coordinator's pod proxy) ends it after a few attempts; anything else (connection refused,
// 5xx, timeouts) is retried until it has failed without a break for `giveUpAfterMs`.
import { errorMessage } from "../common/log.ts";

export interface GiveUpPolicy {
  /** Consecutive permanent refusals tolerated before giving up (a token being rotated, say). */
  maxRefusals: number;
  /** How long failures in a row may last before giving up: the sidecar's deadline. */
  giveUpAfterMs: number;
}

const PERMANENT_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null | undefined)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export interface FailureTracker {
  /** Records a failure; the one-line reason to give up with, or undefined to retry. */
  failed(err: unknown): string | undefined;
  /** A success ends the run of failures. */
  succeeded(): void;
}

export function failureTracker(what: string, policy: GiveUpPolicy, nowMs: () => number): FailureTracker {
  let refusals = 0;
  let failingSinceMs: number | undefined;
  return {
    failed(err) {
      const now = nowMs();
      failingSinceMs ??= now;
      const permanent = PERMANENT_STATUSES.has(statusOf(err) ?? 0);
      refusals = permanent ? refusals + 1 : 0;
      if (permanent && refusals >= policy.maxRefusals) return `${what} refused: ${errorMessage(err)}`;
      const failingMs = now - failingSinceMs;
      if (failingMs >= policy.giveUpAfterMs)
        return `${what} failing for ${Math.round(failingMs / 1000)}s: ${errorMessage(err)}`;
      return undefined;
    },
    succeeded() {
      refusals = 0;
      failingSinceMs = undefined;
    },
  };
}

/** The sidecar could not do its job; `reason` is the one line for its termination message. */
export class SidecarFailure extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.name = "SidecarFailure";
    this.reason = reason;
  }
}
