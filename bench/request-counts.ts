// apiserver_request_total from the API server's /metrics, summed over codes, keyed
// "VERB resource[/subresource] scope"; differences between two scrapes.

export type Counts = Map<string, number>;

const LINE = /^apiserver_request_total\{([^}]*)\}\s+([0-9.e+]+)/;

function labels(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const match of text.matchAll(/(\w+)="([^"]*)"/g)) result[match[1] as string] = match[2] as string;
  return result;
}

export function parseRequestCounts(metrics: string): Counts {
  const counts: Counts = new Map();
  for (const line of metrics.split("\n")) {
    const match = LINE.exec(line);
    if (match === null) continue;
    const l = labels(match[1] as string);
    if (l.dry_run !== undefined && l.dry_run !== "") continue;
    const resource = l.subresource ? `${l.resource}/${l.subresource}` : (l.resource ?? "");
    const key = `${l.verb} ${resource} ${l.scope}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(match[2]));
  }
  return counts;
}

export function diffCounts(before: Counts, after: Counts): Counts {
  const diff: Counts = new Map();
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta > 0) diff.set(key, delta);
  }
  return diff;
}

export function totalCount(counts: Counts): number {
  let total = 0;
  for (const value of counts.values()) total += value;
  return total;
}

/** Requests whose key matches, summed. */
export function countMatching(counts: Counts, pattern: RegExp): number {
  let total = 0;
  for (const [key, value] of counts) if (pattern.test(key)) total += value;
  return total;
}

/** The largest entries, for the breakdown in the report. */
export function topCounts(counts: Counts, n: number): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}
