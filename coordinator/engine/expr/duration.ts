// Durations as Argo reads and prints them for `retryStrategy.backoff`: a bare integer is
// seconds, anything else a Go duration ("1m30s", "500ms"); the "Backoff for …" message
// uses Argo's humanized form ("1 minute 30 seconds"). Values are milliseconds.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
// go-humanize's calendar: a month is 30 days, a year 12 such months.
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;
const LONG_TIME = 37 * YEAR;

/** Go's time.Duration is int64 nanoseconds; a longer duration does not parse. */
export const MAX_GO_DURATION_MS = 9_223_372_036_854.775;

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

const GO_INTEGER = /^[+-]?\d+$/;
const GO_DURATION = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/;
const GO_DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g;

function parseGoDuration(text: string): number | undefined {
  const unsigned = text.replace(/^[+-]/, "");
  if (unsigned === "0") return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of unsigned.matchAll(GO_DURATION_PART)) {
    ms += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  if (!Number.isFinite(ms) || ms > MAX_GO_DURATION_MS) return undefined;
  return text.startsWith("-") ? -ms : ms;
}

/** Argo's ParseStringToDuration in milliseconds; undefined when the text is not a duration. */
export function parseArgoDuration(text: string): number | undefined {
  if (GO_INTEGER.test(text)) {
    const ms = Number(text) * SECOND;
    return Math.abs(ms) > MAX_GO_DURATION_MS ? undefined : ms;
  }
  return parseGoDuration(text);
}

/** [upper bound (exclusive), words]: go-humanize's CustomRelTime with Argo's table. */
const MAGNITUDES: readonly (readonly [number, (ms: number) => string])[] = [
  [SECOND, () => "0 seconds"],
  [2 * SECOND, () => "1 second"],
  [MINUTE, (ms) => `${Math.floor(ms / SECOND)} seconds`],
  [2 * MINUTE, () => "1 minute"],
  [HOUR, (ms) => `${Math.floor(ms / MINUTE)} minutes`],
  [2 * HOUR, () => "1 hour"],
  [DAY, (ms) => `${Math.floor(ms / HOUR)} hours`],
  [2 * DAY, () => "1 day"],
  [WEEK, (ms) => `${Math.floor(ms / DAY)} days`],
  [2 * WEEK, () => "1 week"],
  [MONTH, (ms) => `${Math.floor(ms / WEEK)} weeks`],
  [2 * MONTH, () => "1 month"],
  [YEAR, (ms) => `${Math.floor(ms / MONTH)} months`],
  [18 * MONTH, () => "1 year"],
  [2 * YEAR, () => "2 years"],
  [LONG_TIME, (ms) => `${Math.floor(ms / YEAR)} years`],
];

/** The duration in its largest unit only, rounded down ("59 seconds", "2 hours"). */
function largestUnit(ms: number): string {
  const size = Math.abs(ms);
  const words = MAGNITUDES.find(([below]) => size < below)?.[1];
  return words === undefined ? "a long while" : words(size);
}

/** Argo's humanize.Duration: up to two units, the second always shown ("1 minute 0 seconds"). */
export function humanizeDuration(ms: number): string {
  if (ms < MINUTE) return largestUnit(ms);
  if (ms < HOUR) return `${largestUnit(ms)} ${Math.trunc((ms % MINUTE) / SECOND)} seconds`;
  if (ms < DAY) return `${largestUnit(ms)} ${Math.trunc((ms % HOUR) / MINUTE)} minutes`;
  return `${largestUnit(ms)} ${Math.trunc((ms % DAY) / HOUR)} hours`;
}
