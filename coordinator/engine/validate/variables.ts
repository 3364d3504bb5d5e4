// Every `{{variable}}` a template uses must be one that will exist where it is used:
// workflow globals, the template's declared inputs, earlier steps (`steps.X.*`) or tasks
// this task depends on (`tasks.X.*`). Names outside Argo's variable roots stay as written.
import { referencedVariables, substitute } from "../expr/template.ts";
import type { DagTask, Template, Workflow, WorkflowStep } from "../workflow.ts";
import { keepUnresolved } from "../context.ts";
import { planDagStatic, withDependencies } from "../nodes/dag-plan.ts";
import { exitHookOf, hookArguments, workflowExitHook } from "../nodes/hooks.ts";
import { loopFieldsOf } from "../nodes/loops.ts";

type Allowed = (name: string) => boolean;

const WORKFLOW_FIXED = new Set([
  "workflow.name",
  "workflow.namespace",
  "workflow.uid",
  "workflow.status",
  "workflow.failures",
  "workflow.duration",
  "workflow.creationTimestamp",
  "workflow.serviceAccountName",
  "workflow.mainEntrypoint",
  "workflow.priority",
  "workflow.parameters",
  "workflow.parameters.json",
  "workflow.labels.json",
  "workflow.annotations.json",
  "onexit.logDir",
  "onexit.logFiles",
  "onexit.failedLogs",
]);
const WORKFLOW_OPEN = /^workflow\.(outputs\.parameters|labels|annotations|creationTimestamp)\.[^.]/;
const NODE_FIELD =
  /^(id|ip|status|exitCode|startedAt|finishedAt|hostNodeName|outputs\.result|outputs\.parameters(\..+)?|outputs\.artifacts\.[^.]+)$/;

function globalsAllowed(wf: Workflow): Allowed {
  const params = new Set((wf.spec.arguments?.parameters ?? []).map((p) => `workflow.parameters.${p.name}`));
  return (name) => WORKFLOW_FIXED.has(name) || params.has(name) || WORKFLOW_OPEN.test(name);
}

function inputsAllowed(template: Template): Allowed {
  const names = new Set((template.inputs?.parameters ?? []).map((p) => `inputs.parameters.${p.name}`));
  for (const artifact of template.inputs?.artifacts ?? []) {
    names.add(`inputs.artifacts.${artifact.name}`);
    names.add(`inputs.artifacts.${artifact.name}.path`);
  }
  return (name) => name === "inputs.parameters" || names.has(name);
}

function nodesAllowed(prefix: "steps" | "tasks", names: Iterable<string>): Allowed {
  const known = new Set(names);
  return (name) => {
    if (!name.startsWith(`${prefix}.`)) return false;
    const rest = name.slice(prefix.length + 1);
    return [...known].some((n) => rest.startsWith(`${n}.`) && NODE_FIELD.test(rest.slice(n.length + 1)));
  };
}

const any =
  (...checks: Allowed[]): Allowed =>
  (name) =>
    checks.some((check) => check(name));

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) strings(item, out);
  return out;
}

function check(where: string, value: unknown, allowed: Allowed): string | undefined {
  for (const text of strings(value)) {
    const expressions = substitute(text, {}, () => true);
    if (!expressions.ok) return `${where}: ${expressions.error}`;
    for (const name of referencedVariables(text)) {
      if (keepUnresolved(name) || allowed(name)) continue;
      return `${where}: failed to resolve {{${name}}}`;
    }
  }
  return undefined;
}

interface Call {
  where: string;
  step: WorkflowStep | DagTask;
  /** What the step's loop, `when` and arguments may use (and `{{item.*}}` in a loop); its exit hook may also use the step itself. */
  base: Allowed;
  prefix: "steps" | "tasks";
}

/**
 * The `{{item.<key>}}` a looped step may use, as Argo's validator allows them: the keys of
 * withItems' objects, any key for withParam (its items are known only when it runs), none for
 * withSequence. `{{item}}` itself is outside Argo's variable roots and never rejected.
 */
function itemsAllowed(step: WorkflowStep | DagTask): Allowed {
  const [loop] = loopFieldsOf(step);
  if (loop === "withParam") return (name) => name.startsWith("item.");
  if (loop !== "withItems" || !Array.isArray(step.withItems)) return () => false;
  const keys = new Set<string>();
  for (const item of step.withItems) {
    if (item !== null && typeof item === "object" && !Array.isArray(item))
      for (const key of Object.keys(item)) keys.add(`item.${key}`);
  }
  return (name) => keys.has(name);
}

function checkCall(wf: Workflow, call: Call): string | undefined {
  const { where, step } = call;
  const base = any(call.base, itemsAllowed(step));
  const hook = exitHookOf(step);
  const hookScope = any(base, nodesAllowed(call.prefix, [step.name]));
  return (
    check(`${where}.withParam`, step.withParam, call.base) ??
    check(`${where}.withSequence`, step.withSequence, call.base) ??
    check(`${where}.when`, step.when, base) ??
    check(`${where}.arguments`, step.arguments, base) ??
    (hook === undefined ? undefined : check(`${where}.onExit.arguments`, hookArguments(wf, hook), hookScope))
  );
}

function checkSteps(wf: Workflow, template: Template, scope: Allowed): string | undefined {
  const earlier: string[] = [];
  for (const [i, group] of (template.steps ?? []).entries()) {
    for (const [j, step] of group.entries()) {
      const where = `templates.${template.name}.steps[${i}][${j}]`;
      const base = any(scope, nodesAllowed("steps", earlier));
      const problem = checkCall(wf, { where, step, base, prefix: "steps" });
      if (problem !== undefined) return problem;
    }
    earlier.push(...group.map((s) => s.name));
  }
  return check(
    `templates.${template.name}.outputs`,
    template.outputs,
    any(scope, nodesAllowed("steps", earlier)),
  );
}

function checkDag(wf: Workflow, template: Template, scope: Allowed): string | undefined {
  const plan = planDagStatic(template);
  if (!plan.ok) return undefined;
  const all = (template.dag?.tasks ?? []).map((t) => t.name);
  for (const task of template.dag?.tasks ?? []) {
    const where = `templates.${template.name}.dag.tasks.${task.name}`;
    const before = nodesAllowed(
      "tasks",
      withDependencies(plan.value.deps.get(task.name) ?? [], plan.value.deps),
    );
    const problem = checkCall(wf, { where, step: task, base: any(scope, before), prefix: "tasks" });
    if (problem !== undefined) return problem;
  }
  return check(
    `templates.${template.name}.outputs`,
    template.outputs,
    any(scope, nodesAllowed("tasks", all)),
  );
}

const POD_VARS = new Set(["pod.name", "node.name", "retries"]);

function checkTemplate(wf: Workflow, template: Template, globals: Allowed): string | undefined {
  const scope = any(globals, inputsAllowed(template));
  if (template.steps !== undefined) return checkSteps(wf, template, scope);
  if (template.dag !== undefined) return checkDag(wf, template, scope);
  const { name: _name, ...own } = template;
  return check(
    `templates.${template.name}`,
    own,
    any(scope, (name) => POD_VARS.has(name)),
  );
}

export function validateVariables(
  wf: Workflow,
  templates: ReadonlyMap<string, Template>,
): string | undefined {
  const globals = globalsAllowed(wf);
  const hook = workflowExitHook(wf);
  const spec =
    check("spec.arguments", wf.spec.arguments, globals) ??
    (hook === undefined ? undefined : check("spec.onExit.arguments", hookArguments(wf, hook), globals));
  if (spec !== undefined) return spec;
  for (const template of templates.values()) {
    const problem = checkTemplate(wf, template, globals);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
