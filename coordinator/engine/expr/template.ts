// Argo's `{{name}}` template substitution (fasttemplate with `{{`/`}}` tags, names trimmed),
// shared by every program. Pure: inputs are never mutated.

export type Resolved<T> = { ok: true; value: T } | { ok: false; error: string };
export type Scope = Readonly<Record<string, string>>;

const OPEN = "{{";
const CLOSE = "}}";
const EXPRESSION_ERROR = "expression templates ({{=...}}) are not supported";
/** Deeper values are refused rather than risk the stack; no real template comes close. */
export const MAX_DEPTH = 256;

interface Tag {
  /** The text between the braces, as written. */
  raw: string;
  /** `raw` without surrounding whitespace: the variable's name. */
  name: string;
}

type Piece = string | Tag;

/** Splits text into literal runs and tags; an opening `{{` without a closing `}}` is literal. */
function tokenize(text: string): Piece[] {
  const pieces: Piece[] = [];
  let position = 0;
  while (position < text.length) {
    const start = text.indexOf(OPEN, position);
    const end = start < 0 ? -1 : text.indexOf(CLOSE, start + OPEN.length);
    if (start < 0 || end < 0) {
      pieces.push(text.slice(position));
      break;
    }
    if (start > position) pieces.push(text.slice(position, start));
    const raw = text.slice(start + OPEN.length, end);
    pieces.push({ raw, name: raw.trim() });
    position = end + CLOSE.length;
  }
  return pieces;
}

function isExpression(tag: Tag): boolean {
  return tag.name.startsWith("=");
}

/**
 * Replaces every `{{ name }}` (spaces allowed) with scope[name]. An unknown name is an error
 * naming it, except names for which `keepUnresolved(name)` is true, which stay as written.
 * `{{=expr}}` expression templates are an error.
 */
export function substitute(
  text: string,
  scope: Scope,
  keepUnresolved?: (name: string) => boolean,
): Resolved<string> {
  let out = "";
  for (const piece of tokenize(text)) {
    if (typeof piece === "string") {
      out += piece;
      continue;
    }
    if (isExpression(piece)) return { ok: false, error: EXPRESSION_ERROR };
    if (Object.hasOwn(scope, piece.name)) {
      out += scope[piece.name];
    } else if (keepUnresolved?.(piece.name) === true) {
      out += `${OPEN}${piece.raw}${CLOSE}`;
    } else {
      return { ok: false, error: `unable to resolve {{${piece.name}}}` };
    }
  }
  return { ok: true, value: out };
}

/** Same as `substitute` over every string (not keys) inside a JSON-like value; returns a new value. */
export function substituteDeep<T>(
  value: T,
  scope: Scope,
  keepUnresolved?: (name: string) => boolean,
): Resolved<T> {
  const resolved = walk(value, (text) => substitute(text, scope, keepUnresolved), 0);
  return resolved as Resolved<T>;
}

function walk(
  value: unknown,
  onString: (text: string) => Resolved<string>,
  depth: number,
): Resolved<unknown> {
  if (typeof value === "string") return onString(value);
  if (value === null || typeof value !== "object") return { ok: true, value };
  if (depth >= MAX_DEPTH) return { ok: false, error: `value nested more than ${MAX_DEPTH} levels deep` };
  if (Array.isArray(value)) return walkArray(value, onString, depth + 1);
  return walkObject(value as Record<string, unknown>, onString, depth + 1);
}

function walkArray(
  items: readonly unknown[],
  onString: (text: string) => Resolved<string>,
  depth: number,
): Resolved<unknown> {
  const out: unknown[] = [];
  for (const item of items) {
    const resolved = walk(item, onString, depth);
    if (!resolved.ok) return resolved;
    out.push(resolved.value);
  }
  return { ok: true, value: out };
}

function walkObject(
  object: Readonly<Record<string, unknown>>,
  onString: (text: string) => Resolved<string>,
  depth: number,
): Resolved<unknown> {
  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(object)) {
    const resolved = walk(item, onString, depth);
    if (!resolved.ok) return resolved;
    entries.push([key, resolved.value]);
  }
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return { ok: true, value: Object.fromEntries(entries) };
}

/** Names referenced by `{{...}}` in the text, in order, deduplicated; expressions (`{{=...}}`) are not names. */
export function referencedVariables(text: string): string[] {
  const names: string[] = [];
  for (const piece of tokenize(text)) {
    if (typeof piece === "string" || isExpression(piece)) continue;
    if (!names.includes(piece.name)) names.push(piece.name);
  }
  return names;
}

/** The roots of Argo's workflow variables (its common.go GlobalVarValidWorkflowVariablePrefix). */
export const ARGO_VARIABLE_PREFIXES: readonly string[] = [
  "item.",
  "steps.",
  "inputs.",
  "outputs.",
  "pod.",
  "workflow.",
  "tasks.",
];

/**
 * Whether a name is one of Argo's workflow variables. Argo leaves any other `{{name}}` (a
 * script's own template, say) as written, so `(name) => !isArgoVariable(name)` is the
 * `keepUnresolved` that matches it when substituting a template.
 */
export function isArgoVariable(name: string): boolean {
  return ARGO_VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix));
}
