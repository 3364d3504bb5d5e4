// Sends the report to the coordinator until it is acknowledged, finally refused, or the
// deadline passes. All I/O (HTTP, token file, clock, sleep, randomness) is injected.
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import type { Report } from "../common/report.ts";
import { backoffDelay, type BackoffPolicy } from "./jitter-backoff.ts";

export interface PostResult {
  status: number;
  body: string;
}

/** One HTTP attempt; rejects on network errors and when `signal` aborts. */
export type PostReport = (body: string, token: string, signal: AbortSignal) => Promise<PostResult>;

export interface ReporterOptions {
  post: PostReport;
  /** Re-read before every attempt: the kubelet rotates the projected token. */
  readToken: () => Promise<string>;
  logger: Logger;
  nowMs: () => number;
  delay: (ms: number) => Promise<void>;
  random: () => number;
  policy: BackoffPolicy;
  /** Absolute time, on the `nowMs` clock, after which no attempt starts; asked before each attempt (SIGTERM shortens it). */
  deadlineMs: () => number;
  attemptTimeoutMs: number;
}

export type ReportOutcome =
  | { kind: "acknowledged"; attempt: number; latencyMs: number }
  | { kind: "refused"; attempt: number; status: number }
  | { kind: "deadline"; attempts: number };

/** Statuses that will not change on retry: the report itself or the token is wrong. */
const FINAL_STATUSES: ReadonlySet<number> = new Set([400, 403, 413, 422]);

type Attempt = { ok: true; result: PostResult } | { ok: false; error: string };

async function attemptOnce(body: string, options: ReporterOptions): Promise<Attempt> {
  const budget = Math.max(1, Math.min(options.attemptTimeoutMs, options.deadlineMs() - options.nowMs()));
  try {
    const token = (await options.readToken()).trim();
    return { ok: true, result: await options.post(body, token, AbortSignal.timeout(budget)) };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

export async function sendReport(report: Report, options: ReporterOptions): Promise<ReportOutcome> {
  const { logger } = options;
  const body = JSON.stringify(report);
  for (let attempt = 1; ; attempt++) {
    const started = options.nowMs();
    const outcome = await attemptOnce(body, options);
    const latencyMs = Math.round(options.nowMs() - started);
    if (outcome.ok && outcome.result.status === 200) {
      logger.info("reported", { attempt, latencyMs });
      return { kind: "acknowledged", attempt, latencyMs };
    }
    const status = outcome.ok ? outcome.result.status : undefined;
    const detail = outcome.ok ? outcome.result.body.slice(0, 512) : outcome.error;
    if (status !== undefined && FINAL_STATUSES.has(status)) {
      logger.error("report refused, giving up", { attempt, status, error: detail });
      return { kind: "refused", attempt, status };
    }
    const wait = backoffDelay(attempt - 1, options.policy, options.random);
    if (options.nowMs() + wait >= options.deadlineMs()) {
      logger.error("report deadline passed, giving up", { attempt, status, error: detail });
      return { kind: "deadline", attempts: attempt };
    }
    logger.warn("report failed, will retry", { attempt, status, error: detail, latencyMs, retryInMs: wait });
    await options.delay(wait);
  }
}
