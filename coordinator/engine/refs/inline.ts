// `templateRef`: every template a workflow reaches through a reference is copied into its
// templates under its key (keys.ts), and every step, task and hook that reaches it names that key
// instead. A referenced template's own `template:` names (steps, tasks, `onExit`, hooks) resolve
// in its WorkflowTemplate, as Argo's template context does; its `templateRef`s resolve like the
// workflow's. Each key is taken once (a template that reaches itself again is recursion, which the
// depth limit bounds at run time, as in Argo). A template is taken from the status first (stored
// when the workflow started), else from the templates the runtime passed in.
import type {
  DagTask,
  Hooks,
  LifecycleHook,
  Template,
  TemplateRef,
  WorkflowSpec,
  WorkflowStep,
} from "../workflow.ts";
import type { Holder } from "./keys.ts";
import { describeHolder, holderOf, templateKey } from "./keys.ts";

/** A WorkflowTemplate's or ClusterWorkflowTemplate's spec, or undefined when it does not exist. */
export type SpecOf = (holder: Holder) => Partial<WorkflowSpec> | undefined;

/** What references can appear in: the workflow's templates and its own hooks. */
export interface Referencing {
  templates: readonly Template[];
  hooks?: Hooks | undefined;
}

export interface Inlined {
  /** The workflow's own templates (references rewritten), then every referenced one under its key. */
  templates: Template[];
  hooks?: Hooks;
  /** Every referenced template as written in its WorkflowTemplate, by key (Argo's storedTemplates). */
  used: Record<string, Template>;
}

interface Walk {
  specOf: SpecOf;
  stored: Readonly<Record<string, Template>>;
  used: Record<string, Template>;
  out: Template[];
  pending: { key: string; holder: Holder; template: Template }[];
}

class Missing extends Error {}

/** The key of a template named in `holder`, fetched and queued on first sight; throws Missing when absent. */
function reach(walk: Walk, holder: Holder, name: string, where: string): string {
  const key = templateKey(holder, name);
  if (walk.used[key] !== undefined) return key;
  const template = walk.stored[key] ?? findTemplate(walk, holder, name, where);
  walk.used[key] = template;
  walk.pending.push({ key, holder, template });
  return key;
}

function findTemplate(walk: Walk, holder: Holder, name: string, where: string): Template {
  const spec = walk.specOf(holder);
  if (spec === undefined) throw new Missing(`${where}: ${describeHolder(holder)} not found`);
  const template = (Array.isArray(spec.templates) ? spec.templates : []).find((t) => t?.name === name);
  if (template === undefined)
    throw new Missing(`${where}: template "${name}" not found in ${describeHolder(holder)}`);
  return withPodMetadata(template, spec.podMetadata);
}

/** Argo's addPodMetadata: the WorkflowTemplate's podMetadata under the template's own. */
function withPodMetadata(template: Template, pod: WorkflowSpec["podMetadata"]): Template {
  if (pod == null || (pod.labels === undefined && pod.annotations === undefined)) return template;
  const own = template.metadata ?? {};
  const metadata: NonNullable<Template["metadata"]> = { ...own };
  if (pod.labels !== undefined) metadata.labels = { ...pod.labels, ...own.labels };
  if (pod.annotations !== undefined) metadata.annotations = { ...pod.annotations, ...own.annotations };
  return { ...template, metadata };
}

/** A reference by name or by templateRef, as the key the resolved workflow uses. */
function target(
  walk: Walk,
  scope: Holder | undefined,
  ref: { template?: string; templateRef?: TemplateRef },
  where: string,
): string | undefined {
  if (ref.templateRef != null)
    return reach(walk, holderOf(ref.templateRef), ref.templateRef.template, `${where}.templateRef`);
  if (scope === undefined || typeof ref.template !== "string" || ref.template === "") return ref.template;
  return reach(walk, scope, ref.template, `${where}.template`);
}

function rewriteHook(
  walk: Walk,
  scope: Holder | undefined,
  hook: LifecycleHook,
  where: string,
): LifecycleHook {
  const { templateRef: _ref, ...rest } = hook;
  return { ...rest, template: target(walk, scope, hook, where) ?? "" };
}

function rewriteHooks(walk: Walk, scope: Holder | undefined, hooks: Hooks, where: string): Hooks {
  return Object.fromEntries(
    Object.entries(hooks).map(([name, hook]) => [
      name,
      rewriteHook(walk, scope, hook, `${where}.hooks.${name}`),
    ]),
  );
}

function rewriteStep<S extends WorkflowStep | DagTask>(
  walk: Walk,
  scope: Holder | undefined,
  step: S,
  where: string,
): S {
  if (step == null || typeof step !== "object") return step;
  const { templateRef: _ref, ...rest } = step;
  const out = { ...rest, template: target(walk, scope, step, where) } as S;
  if (typeof step.onExit === "string" && step.onExit !== "" && scope !== undefined)
    out.onExit = reach(walk, scope, step.onExit, `${where}.onExit`);
  if (step.hooks != null && typeof step.hooks === "object")
    out.hooks = rewriteHooks(walk, scope, step.hooks, where);
  return out;
}

function rewriteTemplate(walk: Walk, scope: Holder | undefined, template: Template, name: string): Template {
  const where = `templates.${name}`;
  const out: Template = { ...template, name };
  if (Array.isArray(template.steps))
    out.steps = template.steps.map((group, i) =>
      Array.isArray(group)
        ? group.map((step, j) => rewriteStep(walk, scope, step, `${where}.steps[${i}][${j}]`))
        : group,
    );
  if (template.dag != null && Array.isArray(template.dag.tasks))
    out.dag = {
      ...template.dag,
      tasks: template.dag.tasks.map((task) =>
        rewriteStep(walk, scope, task, `${where}.dag.tasks.${task?.name}`),
      ),
    };
  return out;
}

/**
 * The workflow's templates with every reference resolved, or the first missing one
 * (`templates.main.steps[0][0].templateRef: workflowtemplates.argoproj.io "x" not found`).
 */
export function inlineReferences(
  own: Referencing,
  stored: Readonly<Record<string, Template>>,
  specOf: SpecOf,
): Inlined | string {
  const walk: Walk = { specOf, stored, used: {}, out: [], pending: [] };
  let hooks: Hooks | undefined;
  try {
    for (const template of own.templates)
      walk.out.push(
        typeof template?.name === "string"
          ? rewriteTemplate(walk, undefined, template, template.name)
          : template,
      );
    if (own.hooks != null && typeof own.hooks === "object")
      hooks = rewriteHooks(walk, undefined, own.hooks, "spec");
    for (let next = walk.pending.shift(); next !== undefined; next = walk.pending.shift())
      walk.out.push(rewriteTemplate(walk, next.holder, next.template, next.key));
  } catch (error) {
    if (error instanceof Missing) return error.message;
    throw error;
  }
  return hooks === undefined
    ? { templates: walk.out, used: walk.used }
    : { templates: walk.out, hooks, used: walk.used };
}
