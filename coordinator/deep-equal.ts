// Structural equality for JSON values (key order ignored; undefined members count as absent),
// used to skip status writes that would change nothing.

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return sameDate(a, b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameArray(a, b);
  return sameRecord(a as Record<string, unknown>, b as Record<string, unknown>);
}

function sameDate(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
}

function sameArray(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
}

function sameRecord(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const left = definedEntries(a);
  const right = definedEntries(b);
  if (left.size !== right.size) return false;
  for (const [key, value] of left) {
    if (!right.has(key) || !deepEqual(value, right.get(key))) return false;
  }
  return true;
}

function definedEntries(object: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(object).filter(([, value]) => value !== undefined));
}
