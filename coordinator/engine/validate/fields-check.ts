// Walks a Workflow's spec along the field table (fields.ts) and names every field onexit refuses
// and every field Argo does not have, with its path (`spec.templates[1].memoize: not supported by
// onexit`). All of them, sorted, so one round of edits fixes a workflow.
import type { Kind, KindName, Nesting } from "./fields.ts";
import { KINDS, ROOT_KIND, UNKNOWN_FIELD } from "./fields.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function walkMap(nesting: Nesting & { as: "map" }, value: unknown, path: string, out: string[]): void {
  if (!isObject(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    if (!nesting.keys.includes(key)) out.push(`${path}.${key}: ${nesting.reason}`);
    else walk(nesting.kind, item, `${path}.${key}.`, out);
  }
}

function walkNested(nesting: Nesting, value: unknown, path: string, out: string[]): void {
  if (nesting.as === "object") return walk(nesting.kind, value, `${path}.`, out);
  if (nesting.as === "map") return walkMap(nesting, value, path, out);
  if (!Array.isArray(value)) return;
  for (const [i, item] of value.entries()) {
    const at = `${path}[${i}]`;
    if (nesting.as === "list") walk(nesting.kind, item, `${at}.`, out);
    else walkNested({ kind: nesting.kind, as: "list" }, item, at, out);
  }
}

/** `prefix` is the path of `value` with its trailing dot (`spec.templates[0].`), or "" at the root. */
function walk(kindName: KindName, value: unknown, prefix: string, out: string[]): void {
  if (!isObject(value)) return;
  const kind: Kind = KINDS[kindName];
  for (const [key, item] of Object.entries(value)) {
    // A field written as null is a field not set, as Argo's JSON decoding reads it.
    if (item === null || item === undefined) continue;
    const field = Object.hasOwn(kind, key) ? kind[key] : undefined;
    if (field === undefined) out.push(`${prefix}${key}: ${UNKNOWN_FIELD}`);
    else if (field.support === "refused") out.push(`${prefix}${key}: ${field.reason}`);
    else if (field.nested !== undefined) walkNested(field.nested, item, `${prefix}${key}`, out);
  }
}

/** Every refused or unknown field of the Workflow, as `<path>: <reason>`; [] when onexit runs it all. */
export function refusedFields(workflow: unknown): string[] {
  const out: string[] = [];
  walk(ROOT_KIND, workflow, "", out);
  // Sorted, so the admission policy (whose maps have no order) says the same words.
  return out.sort();
}
