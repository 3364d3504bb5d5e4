// retryStrategy.backoff, decided as Argo's processNodeRetries does once an attempt has failed:
// maxDuration counts from the first attempt's start, the wait from the last attempt's end, so
// everything comes from the status and a restarted coordinator decides the same.
import { substitute } from "../expr/template.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { NodeStatus, RetryBackoff } from "../workflow.ts";
import { keepUnresolved } from "../context.ts";
import { MAX_GO_DURATION_MS, humanizeDuration, parseArgoDuration } from "../expr/duration.ts";

export type BackoffDecision =
  /** No backoff, or it has been waited out: the retry policy and limit decide what follows. */
  | { kind: "proceed" }
  /** The Retry node stays as it is with `message`, for another `remainingMs`. */
  | { kind: "wait"; message: string; remainingMs: number }
  /** maxDuration is used up: the Retry node ends in the last attempt's phase with `message`. */
  | { kind: "end"; message: string }
  /** A value that cannot be read: the Retry node ends in Error with `message`. */
  | { kind: "error"; message: string };

/** The Retry node's attempts so far, and its substituted limit. */
export interface Attempts {
  first: NodeStatus;
  last: NodeStatus;
  count: number;
  limit: number | undefined;
}

/** A field after `{{…}}` substitution; unset (or substituted to "") is undefined, as in Argo. */
function fieldText(
  backoff: RetryBackoff,
  field: keyof RetryBackoff,
  scope: Scope,
): Resolved<string | undefined> {
  const raw = backoff[field];
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  const text = substitute(String(raw), scope, keepUnresolved);
  if (!text.ok) return { ok: false, error: `retryStrategy.backoff.${field}: ${text.error}` };
  return { ok: true, value: text.value };
}

function durationField(
  backoff: RetryBackoff,
  field: "duration" | "maxDuration" | "cap",
  scope: Scope,
): Resolved<number | undefined> {
  const text = fieldText(backoff, field, scope);
  if (!text.ok) return text;
  if (text.value === undefined || text.value === "") return { ok: true, value: undefined };
  const ms = parseArgoDuration(text.value);
  if (ms === undefined)
    return { ok: false, error: `retryStrategy.backoff.${field} "${text.value}" is not a duration` };
  return { ok: true, value: ms };
}

/** Argo multiplies only by a factor above 0; an empty or non-integer factor is an error. */
function factorField(backoff: RetryBackoff, scope: Scope): Resolved<number | undefined> {
  const text = fieldText(backoff, "factor", scope);
  if (!text.ok) return text;
  if (text.value === undefined) return { ok: true, value: undefined };
  if (!/^[+-]?\d+$/.test(text.value))
    return { ok: false, error: `retryStrategy.backoff.factor "${text.value}" is not an integer` };
  return { ok: true, value: Number(text.value) };
}

/** duration × factor^(attempts − 1), capped: the first retry waits `duration`. */
function waitOf(backoff: RetryBackoff, scope: Scope, attempts: number): Resolved<number> {
  const base = durationField(backoff, "duration", scope);
  if (!base.ok) return base;
  if (base.value === undefined) return { ok: false, error: "retryStrategy.backoff.duration is required" };
  const factor = factorField(backoff, scope);
  if (!factor.ok) return factor;
  const cap = durationField(backoff, "cap", scope);
  if (!cap.ok) return cap;
  const growth = factor.value !== undefined && factor.value > 0 ? factor.value ** (attempts - 1) : 1;
  // Go's int64 nanoseconds saturate rather than overflow (Argo caps the product the same way).
  const wait = Math.min(base.value * growth, MAX_GO_DURATION_MS);
  return { ok: true, value: cap.value !== undefined && wait > cap.value ? cap.value : wait };
}

/** Epoch ms after which no attempt may start: maxDuration from the first attempt's start. */
function maxDurationDeadline(
  backoff: RetryBackoff,
  scope: Scope,
  first: NodeStatus,
): Resolved<number | undefined> {
  const maxDuration = durationField(backoff, "maxDuration", scope);
  if (!maxDuration.ok || maxDuration.value === undefined) return maxDuration;
  return { ok: true, value: Date.parse(first.startedAt ?? "") + maxDuration.value };
}

/**
 * What the backoff asks for after a failed attempt, in Argo's order: maxDuration already used up
 * (checked before the other fields are read), a wait that would end past it, then the wait itself.
 * As in Argo, there is a wait only while the limit allows another attempt, and only with a limit.
 */
export function decideBackoff(
  backoff: RetryBackoff,
  scope: Scope,
  attempts: Attempts,
  now: Date,
): BackoffDecision {
  const deadline = maxDurationDeadline(backoff, scope, attempts.first);
  if (!deadline.ok) return { kind: "error", message: deadline.error };
  if (deadline.value !== undefined && now.getTime() > deadline.value)
    return { kind: "end", message: "Max duration limit exceeded" };
  const wait = waitOf(backoff, scope, attempts.count);
  if (!wait.ok) return { kind: "error", message: wait.error };
  const waitingDeadline = Date.parse(attempts.last.finishedAt ?? "") + wait.value;
  if (deadline.value !== undefined && waitingDeadline > deadline.value)
    return { kind: "end", message: "Backoff would exceed max duration limit" };
  const remainingMs = waitingDeadline - now.getTime();
  const retriesLeft = attempts.limit !== undefined && attempts.count <= attempts.limit;
  if (remainingMs > 0 && retriesLeft)
    return { kind: "wait", message: `Backoff for ${humanizeDuration(wait.value)}`, remainingMs };
  return { kind: "proceed" };
}
