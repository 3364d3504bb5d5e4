// Argo's loops (withItems, withParam, withSequence): the items a looped step or task runs
// over, and for each one its node name `<name>(<index>:<label>)` and its `{{item}}`
// variables, as Argo's controller makes them (operator.go processItem, generateNodeName).
import { substitute, substituteDeep } from "../expr/template.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { Loop } from "../workflow.ts";
import { keepUnresolved } from "../context.ts";
import { goJson } from "../expr/go-json.ts";
import { sequenceItems } from "../expr/sequence.ts";
import { evaluateWhen } from "../expr/when.ts";

export const LOOP_FIELDS = ["withItems", "withParam", "withSequence"] as const;
export type LoopField = (typeof LOOP_FIELDS)[number];

/** The loop fields a step sets. Argo's ShouldExpand: an empty withItems or withParam is not a loop. */
export function loopFieldsOf(step: Loop): LoopField[] {
  const fields: LoopField[] = [];
  if (Array.isArray(step.withItems) ? step.withItems.length > 0 : step.withItems != null)
    fields.push("withItems");
  if (step.withParam != null && step.withParam !== "") fields.push("withParam");
  if (step.withSequence != null) fields.push("withSequence");
  return fields;
}

export function isLooped(step: Loop): boolean {
  return loopFieldsOf(step).length > 0;
}

/** Argo's Item.String(): its JSON, without the quotes when it is a string (escapes stay). */
function itemText(value: unknown): string {
  const text = goJson(value, false);
  return typeof value === "string" ? text.slice(1, -1) : text;
}

type Item = unknown;

const isMap = (item: Item): item is Record<string, unknown> =>
  item !== null && typeof item === "object" && !Array.isArray(item);

/** What `{{item}}` and `{{item.<key>}}` stand for in one iteration. */
export function itemScope(item: Item): Record<string, string> {
  if (typeof item === "string") return { item };
  if (isMap(item)) {
    const scope: Record<string, string> = { item: goJson(item, true) };
    for (const [key, value] of Object.entries(item)) scope[`item.${key}`] = itemText(value);
    return scope;
  }
  if (Array.isArray(item) || item === null) return { item: goJson(item, true) };
  return { item: itemText(item) };
}

/** The label in the node name: the item, a map as sorted `key:value` pairs, a list as Go prints a slice. */
export function itemLabel(item: Item): string {
  let label: string;
  if (isMap(item)) {
    const pairs = Object.entries(item).map(([key, value]) => `${key}:${itemText(value)}`);
    label = pairs.sort().join(",");
  } else if (Array.isArray(item) || item === null) {
    label = `[${(item ?? []).map(itemText).join(" ")}]`;
  } else {
    label = itemText(item);
  }
  // Argo drops parentheses so the index stays recoverable from the name.
  return label.replace(/[()]/g, "");
}

export function iterationName(name: string, index: number, item: Item): string {
  return `${name}(${index}:${itemLabel(item)})`;
}

/** Whether the step's `when` is already false without its item: Argo then forgives a bad list. */
function whenIsFalse(step: { when?: string }, scope: Scope): boolean {
  if (step.when === undefined || step.when === "") return false;
  const text = substitute(step.when, scope, keepUnresolved);
  if (!text.ok) return false;
  const proceed = evaluateWhen(text.value);
  return proceed.ok && !proceed.value;
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function paramItems(text: string): Resolved<Item[]> {
  const problem = (why: string): Resolved<Item[]> => ({
    ok: false,
    error: `withParam value could not be parsed as a JSON list: ${text.trim()}: ${why}`,
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(error instanceof Error ? error.message : String(error));
  }
  // Go decodes JSON null into an empty list.
  if (value === null) return { ok: true, value: [] };
  return Array.isArray(value) ? { ok: true, value } : problem(`it is ${describeJson(value)}`);
}

function sequenceFrom(step: Loop, scope: Scope): Resolved<Item[]> {
  const sequence = step.withSequence ?? {};
  const bounds: Record<string, string> = {};
  for (const field of ["count", "start", "end", "format"] as const) {
    const raw = sequence[field];
    if (raw === undefined || raw === null) continue;
    const text = substitute(String(raw), scope, keepUnresolved);
    if (!text.ok) return { ok: false, error: `withSequence.${field}: ${text.error}` };
    bounds[field] = field === "format" ? text.value : text.value.trim();
  }
  return sequenceItems(bounds);
}

function rawItems(step: Loop, scope: Scope): Resolved<Item[]> {
  const [field] = loopFieldsOf(step);
  if (field === "withItems") return { ok: true, value: step.withItems ?? [] };
  if (field === "withSequence") return sequenceFrom(step, scope);
  const text = substitute(String(step.withParam), scope, keepUnresolved);
  if (!text.ok) return { ok: false, error: `withParam: ${text.error}` };
  return paramItems(text.value);
}

/** The items a looped step runs over; a list that cannot be made is empty when `when` is false anyway. */
export function loopItems(step: Loop & { when?: string }, scope: Scope): Resolved<Item[]> {
  const items = rawItems(step, scope);
  if (!items.ok && whenIsFalse(step, scope)) return { ok: true, value: [] };
  return items;
}

export interface Iteration<T> {
  /** `<name>(<index>:<label>)`: the iteration's node name without its parent's. */
  name: string;
  /** The step with this item in its `when`, arguments and hooks, and no loop; its name is kept. */
  step: T;
}

const isItemVariable = (name: string): boolean => name === "item" || name.startsWith("item.");

interface Loopable extends Loop {
  name: string;
  template: string;
  when?: string;
}

/** One iteration per item; an `{{item.<key>}}` the item does not have is an error naming it. */
export function expandLoop<T extends Loopable>(step: T, scope: Scope): Resolved<Iteration<T>[]> {
  const items = loopItems(step, scope);
  if (!items.ok) return items;
  const { withItems: _items, withParam: _param, withSequence: _sequence, ...body } = step;
  const iterations: Iteration<T>[] = [];
  for (const [index, item] of items.value.entries()) {
    const substituted = substituteDeep(body, itemScope(item), (name) => !isItemVariable(name));
    if (!substituted.ok) return { ok: false, error: `${step.name}[${index}]: ${substituted.error}` };
    const iteration = { ...substituted.value, name: step.name, template: step.template } as unknown as T;
    iterations.push({ name: iterationName(step.name, index, item), step: iteration });
  }
  return { ok: true, value: iterations };
}

/** The index of an iteration of `nodeName`, or undefined for any other node (its hook, an attempt). */
function iterationIndex(nodeName: string, node: { name: string }): number | undefined {
  if (!node.name.startsWith(`${nodeName}(`) || !node.name.endsWith(")")) return undefined;
  const match = /^\((\d+):[^()]*\)$/.exec(node.name.slice(nodeName.length));
  return match === null ? undefined : Number(match[1]);
}

/** The iterations of the looped node `nodeName` among `nodes`, in item order. */
export function iterationsOf<N extends { name: string }>(nodeName: string, nodes: readonly N[]): N[] {
  const found = nodes.flatMap((node) => {
    const index = iterationIndex(nodeName, node);
    return index === undefined ? [] : [{ node, index }];
  });
  return found.sort((a, b) => a.index - b.index).map(({ node }) => node);
}
