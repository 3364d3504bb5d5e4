// The strftime letters Argo offers as `workflow.creationTimestamp.<letter>` (its
// util/strftime FormatChars), rendered in UTC as Go's time layouts render them.

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

function hour12(time: Date): number {
  const hour = time.getUTCHours() % 12;
  return hour === 0 ? 12 : hour;
}

const FORMATTERS: Readonly<Record<string, (time: Date) => string>> = {
  B: (time) => MONTHS[time.getUTCMonth()] ?? "",
  b: (time) => (MONTHS[time.getUTCMonth()] ?? "").slice(0, 3),
  m: (time) => pad(time.getUTCMonth() + 1),
  A: (time) => DAYS[time.getUTCDay()] ?? "",
  a: (time) => (DAYS[time.getUTCDay()] ?? "").slice(0, 3),
  d: (time) => pad(time.getUTCDate()),
  H: (time) => pad(time.getUTCHours()),
  I: (time) => pad(hour12(time)),
  M: (time) => pad(time.getUTCMinutes()),
  S: (time) => pad(time.getUTCSeconds()),
  Y: (time) => pad(time.getUTCFullYear(), 4),
  y: (time) => pad(time.getUTCFullYear() % 100),
  p: (time) => (time.getUTCHours() < 12 ? "AM" : "PM"),
  Z: () => "UTC",
  z: () => "+0000",
  L: (time) => `.${pad(time.getUTCMilliseconds(), 3)}`,
};

/** Every supported letter mapped to `time` formatted with it. */
export function strftimeAll(time: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [letter, format] of Object.entries(FORMATTERS)) out[letter] = format(time);
  return out;
}

/** RFC3339 in UTC at second precision, as Go's `time.RFC3339` prints a Kubernetes timestamp. */
export function rfc3339(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** Normalises a stored timestamp to RFC3339 seconds; text that is not a date is kept as written. */
export function normaliseTimestamp(text: string): string {
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? text : rfc3339(time);
}
