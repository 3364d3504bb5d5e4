// `withSequence`: the numbers Argo's expandSequence yields, each formatted with Go's fmt
// rules for one int argument (`format: "%02d"`), since Argo hands the format to Sprintf.
import type { Resolved } from "./template.ts";

/** An upper bound on one sequence, so a typo such as `count: "1000000000"` cannot exhaust the coordinator. */
export const MAX_SEQUENCE_ITEMS = 10_000;

export interface SequenceBounds {
  count?: string;
  start?: string;
  end?: string;
  format?: string;
}

/** Go's strconv.Atoi: an optional sign and decimal digits, nothing else. */
function integer(field: string, text: string | undefined, fallback: number): Resolved<number> {
  if (text === undefined) return { ok: true, value: fallback };
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
    return { ok: false, error: `withSequence.${field} "${text}" is not an integer` };
  return { ok: true, value: Number(text) };
}

/** The last number: `end`, else `start + count - 1`; `count: 0` is no numbers at all. */
function lastOf(bounds: SequenceBounds, start: number): Resolved<number | "none"> {
  if (bounds.end !== undefined) return integer("end", bounds.end, 0);
  if (bounds.count === undefined)
    return { ok: false, error: "neither end nor count was specified in withSequence" };
  const count = integer("count", bounds.count, 0);
  if (!count.ok) return count;
  return { ok: true, value: count.value === 0 ? "none" : start + count.value - 1 };
}

/** From start to end inclusive, counting down when end < start (as Argo does, even for a negative count). */
export function sequenceItems(bounds: SequenceBounds): Resolved<string[]> {
  const start = integer("start", bounds.start, 0);
  if (!start.ok) return start;
  const last = lastOf(bounds, start.value);
  if (!last.ok) return last;
  if (last.value === "none") return { ok: true, value: [] };
  const size = Math.abs(last.value - start.value) + 1;
  if (size > MAX_SEQUENCE_ITEMS)
    return {
      ok: false,
      error: `withSequence has ${size} items, more than the ${MAX_SEQUENCE_ITEMS} onexit allows`,
    };
  const step = last.value >= start.value ? 1 : -1;
  const format = bounds.format === undefined || bounds.format === "" ? "%d" : bounds.format;
  const items: string[] = [];
  for (let n = start.value; items.length < size; n += step) items.push(formatInt(format, n));
  return { ok: true, value: items };
}

interface Verb {
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

const VERB = /^%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/;
const BASES: Readonly<Record<string, number>> = { d: 10, v: 10, b: 2, o: 8, x: 16, X: 16 };
const ALTERNATE: Readonly<Record<string, string>> = { b: "0b", o: "0", x: "0x", X: "0X" };

function pad(spec: Verb, sign: string, prefix: string, digits: string): string {
  const body = sign + prefix + digits;
  const width = spec.width ?? 0;
  if (body.length >= width) return body;
  if (spec.flags.includes("-")) return body.padEnd(width);
  if (spec.flags.includes("0") && spec.precision === undefined)
    return sign + prefix + digits.padStart(width - sign.length - prefix.length, "0");
  return body.padStart(width);
}

function signOf(spec: Verb, n: number): string {
  if (n < 0) return "-";
  if (spec.flags.includes("+")) return "+";
  return spec.flags.includes(" ") ? " " : "";
}

function formatVerb(spec: Verb, n: number): string {
  const base = BASES[spec.verb];
  if (base === undefined) return `%!${spec.verb}(int=${n})`;
  let digits = Math.abs(n).toString(base);
  if (spec.verb === "X") digits = digits.toUpperCase();
  if (spec.precision !== undefined)
    digits = spec.precision === 0 && n === 0 ? "" : digits.padStart(spec.precision, "0");
  const alternate = spec.flags.includes("#") ? (ALTERNATE[spec.verb] ?? "") : "";
  const prefix = alternate === "0" && digits.startsWith("0") ? "" : alternate;
  return pad(spec, signOf(spec, n), prefix, digits);
}

/**
 * Go's Sprintf(format, n) for the verbs that make sense for an int (d v b o x X, with flags,
 * width and precision); another verb prints `%!q(int=5)`, a second one `%!d(MISSING)`, and a
 * format without any `%!(EXTRA int=5)`, as Go does.
 */
export function formatInt(format: string, n: number): string {
  let out = "";
  let used = false;
  for (let i = 0; i < format.length;) {
    const match = format[i] === "%" ? VERB.exec(format.slice(i)) : null;
    if (match === null) {
      out += format[i];
      i++;
      continue;
    }
    i += match[0].length;
    const [, flags = "", width, precision, verb = ""] = match;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (used) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    used = true;
    const spec: Verb = {
      flags,
      width: width === undefined ? undefined : Number(width),
      precision: precision === undefined ? undefined : Number(precision || "0"),
      verb,
    };
    out += formatVerb(spec, n);
  }
  return used ? out : `${out}%!(EXTRA int=${n})`;
}
