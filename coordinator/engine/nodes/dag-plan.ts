// The static shape of a DAG template: each task's `depends` expression, a topological
// order (or the cycle that prevents one), and the tasks the `target` needs.
import type { Resolved, Scope } from "../expr/template.ts";
import { substitute } from "../expr/template.ts";
import { keepUnresolved } from "../context.ts";
import type { ContinueOn, DagTask, Template } from "../workflow.ts";
import type { DependsExpr } from "../expr/depends.ts";
import { dependsFromDependencies, dependsTasks, parseDepends } from "../expr/depends.ts";

export interface DagPlan {
  /** Every task, dependencies first. */
  order: DagTask[];
  depends: ReadonlyMap<string, DependsExpr | undefined>;
  deps: ReadonlyMap<string, readonly string[]>;
  targets: readonly string[];
  /** The targets and everything they depend on: the only tasks that run. */
  needed: ReadonlySet<string>;
  /** Each task's own continueOn: a bare reference to it is satisfied by the failures it continues on. */
  continueOn: Readonly<Record<string, ContinueOn | undefined>>;
}

/** `depends`, else `dependencies` as the equivalent expression (continueOn widens it when evaluated). */
function expressionOf(task: DagTask): string | undefined {
  if (task.depends !== undefined && task.depends.trim() !== "") return task.depends;
  if (task.dependencies !== undefined && task.dependencies.length > 0) {
    return dependsFromDependencies(task.dependencies);
  }
  return undefined;
}

function topoOrder(
  tasks: readonly DagTask[],
  deps: ReadonlyMap<string, readonly string[]>,
): Resolved<DagTask[]> {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const state = new Map<string, "visiting" | "done">();
  const order: DagTask[] = [];
  const visit = (name: string, path: string[]): string | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting")
      return `dependency cycle: ${[...path.slice(path.indexOf(name)), name].join(" -> ")}`;
    state.set(name, "visiting");
    for (const dep of deps.get(name) ?? []) {
      const cycle = visit(dep, [...path, name]);
      if (cycle !== undefined) return cycle;
    }
    state.set(name, "done");
    order.push(byName.get(name) as DagTask);
    return undefined;
  };
  for (const task of tasks) {
    const cycle = visit(task.name, []);
    if (cycle !== undefined) return { ok: false, error: cycle };
  }
  return { ok: true, value: order };
}

/** The tasks `from` and every task they depend on, directly or not. */
export function withDependencies(
  from: readonly string[],
  deps: ReadonlyMap<string, readonly string[]>,
): Set<string> {
  const needed = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (needed.has(name)) continue;
    needed.add(name);
    stack.push(...(deps.get(name) ?? []));
  }
  return needed;
}

interface Edges {
  depends: Map<string, DependsExpr | undefined>;
  deps: Map<string, string[]>;
}

function edgesOf(tasks: readonly DagTask[]): Resolved<Edges> {
  const byName = new Map<string, DagTask>();
  for (const task of tasks) {
    if (byName.has(task.name)) return { ok: false, error: `dag.tasks.${task.name} is not unique` };
    byName.set(task.name, task);
  }
  const edges: Edges = { depends: new Map(), deps: new Map() };
  for (const task of tasks) {
    const text = expressionOf(task);
    const parsed = text === undefined ? undefined : parseDepends(text);
    if (parsed !== undefined && !parsed.ok)
      return { ok: false, error: `dag.tasks.${task.name}.depends: ${parsed.error}` };
    const expr = parsed?.value;
    const names = expr === undefined ? [] : [...new Set(dependsTasks(expr))];
    const unknown = names.find((name) => !byName.has(name));
    if (unknown !== undefined)
      return { ok: false, error: `dag.tasks.${task.name} depends on unknown task "${unknown}"` };
    edges.depends.set(task.name, expr);
    edges.deps.set(task.name, names);
  }
  return { ok: true, value: edges };
}

export function planDag(template: Template): Resolved<DagPlan> {
  const tasks = template.dag?.tasks ?? [];
  const edges = edgesOf(tasks);
  if (!edges.ok) return edges;
  const { depends, deps } = edges.value;
  const order = topoOrder(tasks, deps);
  if (!order.ok) return { ok: false, error: `dag: ${order.error}` };
  const target = template.dag?.target?.trim();
  const dependedOn = new Set([...deps.values()].flat());
  const targets = target
    ? target.split(/\s+/)
    : tasks.map((t) => t.name).filter((name) => !dependedOn.has(name));
  const unknown = targets.find((name) => !deps.has(name));
  if (unknown !== undefined) return { ok: false, error: `dag.target "${unknown}" is not a task` };
  const continueOn = Object.fromEntries(tasks.map((t) => [t.name, t.continueOn]));
  const needed = withDependencies(targets, deps);
  return { ok: true, value: { order: order.value, depends, deps, targets, needed, continueOn } };
}

function substituted(where: string, text: string | undefined, scope: Scope): Resolved<string | undefined> {
  if (text === undefined || typeof text !== "string") return { ok: true, value: text };
  const value = substitute(text, scope, keepUnresolved);
  return value.ok ? value : { ok: false, error: `${where}: ${value.error}` };
}

function substitutedTask(task: DagTask, scope: Scope): Resolved<DagTask> {
  const where = `dag.tasks.${task.name}`;
  const depends = substituted(`${where}.depends`, task.depends, scope);
  if (!depends.ok) return depends;
  const dependencies: string[] = [];
  for (const name of Array.isArray(task.dependencies) ? task.dependencies : []) {
    const one = substituted(`${where}.dependencies`, name, scope);
    if (!one.ok) return one;
    dependencies.push(one.value ?? "");
  }
  const out: DagTask = { ...task, depends: depends.value };
  if (task.depends === undefined) delete out.depends;
  if (Array.isArray(task.dependencies)) out.dependencies = dependencies;
  return { ok: true, value: out };
}

/**
 * The DAG's `target` and its tasks' `depends` and `dependencies` with the template's variables
 * (workflow parameters, inputs) substituted, as Argo substitutes a template before it runs it:
 * `target: "{{workflow.parameters.target}}"`.
 */
export function substitutedDag(template: Template, scope: Scope): Resolved<Template> {
  const dag = template.dag;
  if (dag === undefined || !Array.isArray(dag.tasks)) return { ok: true, value: template };
  const target = substituted("dag.target", dag.target, scope);
  if (!target.ok) return target;
  const tasks: DagTask[] = [];
  for (const task of dag.tasks) {
    const one = substitutedTask(task, scope);
    if (!one.ok) return one;
    tasks.push(one.value);
  }
  const out = { ...dag, tasks };
  if (target.value !== undefined) out.target = target.value;
  return { ok: true, value: { ...template, dag: out } };
}

/** planDag before any variable has a value (the validator): a target or `depends` using one is checked when the DAG runs. */
export function planDagStatic(template: Template): Resolved<DagPlan> {
  const dag = template.dag;
  if (dag === undefined || !Array.isArray(dag.tasks)) return planDag(template);
  const uses = (text: unknown): boolean => typeof text === "string" && text.includes("{{");
  const tasks = dag.tasks.map((task) =>
    uses(task.depends) || (task.dependencies ?? []).some(uses)
      ? { ...task, depends: undefined, dependencies: undefined }
      : task,
  );
  return planDag({ ...template, dag: { ...dag, tasks, target: uses(dag.target) ? undefined : dag.target } });
}
