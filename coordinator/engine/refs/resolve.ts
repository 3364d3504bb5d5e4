// Resolves what a workflow references before anything else reads it: `spec.workflowTemplateRef`
// (merge.ts) and every `templateRef` (inline.ts). The result is a workflow whose templates are all
// its own, which validation and the executors read as they read any workflow.
//
// As Argo does, what a reference gave is stored in the status the first time
// (`storedWorkflowTemplateSpec`, `storedTemplates`) and used from then on: a WorkflowTemplate
// changed or deleted while the workflow runs does not change it. The workflow's own spec is merged
// over the stored one at every pass, so `spec.shutdown` (argo stop/terminate) still reaches it.
import type { Template, Workflow, WorkflowSpec, WorkflowStatus, WorkflowTemplate } from "../workflow.ts";
import type { Holder } from "./keys.ts";
import { describeHolder, holderOf } from "./keys.ts";
import { inlineReferences } from "./inline.ts";
import { mergeWorkflowSpec } from "./merge.ts";

export interface Resolved {
  workflow: Workflow;
  /** What the status must keep (unchanged once stored). */
  stored: Pick<WorkflowStatus, "storedTemplates" | "storedWorkflowTemplateSpec">;
  /**
   * Stands for everything resolution read besides the workflow itself: the resourceVersions of
   * the templates read from the input, "" when all came from the status or there were none.
   */
  sourcesKey: string;
}

export type Resolution = { ok: true; value: Resolved } | { ok: false; error: string };

type Lookup = (holder: Holder) => WorkflowTemplate | undefined;

function lookupOf(templates: readonly WorkflowTemplate[]): Lookup {
  const byHolder = new Map<string, WorkflowTemplate>();
  for (const t of templates) {
    const scope = t.kind === "ClusterWorkflowTemplate" ? "cluster" : "namespaced";
    byHolder.set(`${scope}/${t.metadata.name ?? ""}`, t);
  }
  return (holder) => byHolder.get(`${holder.scope}/${holder.name}`);
}

/** Records which input objects were read, for the memo key. */
function recording(lookup: Lookup, read: Set<string>): Lookup {
  return (holder) => {
    const found = lookup(holder);
    read.add(`${holder.scope}/${holder.name}@${found?.metadata.resourceVersion ?? "absent"}`);
    return found;
  };
}

function mergedSpec(wf: Workflow, lookup: Lookup): WorkflowSpec | string {
  const ref = wf.spec.workflowTemplateRef;
  if (ref == null) return wf.spec;
  // Argo's validator: the templates come from the template, none from the workflow.
  if (Array.isArray(wf.spec.templates) && wf.spec.templates.length > 0)
    return "spec.templates: Templates is invalid field in spec if workflow referred WorkflowTemplate reference";
  const stored = wf.status?.storedWorkflowTemplateSpec;
  if (stored !== undefined) return mergeWorkflowSpec(wf.spec, stored);
  const holder = holderOf(ref);
  const template = lookup(holder);
  if (template === undefined) return `spec.workflowTemplateRef: ${describeHolder(holder)} not found`;
  // Argo reads one level: the template's own reference would be dropped silently, so say so.
  if (template.spec.workflowTemplateRef != null)
    return `spec.workflowTemplateRef: ${describeHolder(holder)} has a workflowTemplateRef itself, which is not followed: merge the two templates`;
  return mergeWorkflowSpec(wf.spec, template.spec);
}

function ownTemplateNames(templates: unknown): string | undefined {
  if (!Array.isArray(templates)) return undefined;
  for (const t of templates as Template[])
    if (typeof t?.name === "string" && t.name.includes("/"))
      return `templates.${t.name}: a template name cannot contain "/"`;
  return undefined;
}

/** The workflow with every reference resolved, or the first reference that cannot be. */
export function resolveReferences(wf: Workflow, templates: readonly WorkflowTemplate[]): Resolution {
  const read = new Set<string>();
  return resolveWith(wf, recording(lookupOf(templates), read), read);
}

/**
 * For the runtime: the (Cluster)WorkflowTemplates the workflow references, directly or through
 * another template, found with `get` (its caches). What the status already stores is not looked up.
 */
export function referencedTemplates(
  wf: Workflow,
  get: (ref: { name: string; clusterScope: boolean }) => WorkflowTemplate | undefined,
): WorkflowTemplate[] {
  const found = new Map<string, WorkflowTemplate>();
  resolveWith(
    wf,
    (holder) => {
      const template = get({ name: holder.name, clusterScope: holder.scope === "cluster" });
      if (template !== undefined) found.set(`${holder.scope}/${holder.name}`, template);
      return template;
    },
    new Set(),
  );
  return [...found.values()];
}

function resolveWith(wf: Workflow, lookup: Lookup, read: ReadonlySet<string>): Resolution {
  const spec = mergedSpec(wf, lookup);
  if (typeof spec === "string") return { ok: false, error: spec };
  const badName = ownTemplateNames(spec.templates);
  if (badName !== undefined) return { ok: false, error: badName };
  const own = Array.isArray(spec.templates) ? spec.templates : [];
  const stored = wf.status?.storedTemplates ?? {};
  const inlined = inlineReferences(
    { templates: own, hooks: spec.hooks },
    stored,
    (holder) => lookup(holder)?.spec,
  );
  if (typeof inlined === "string") return { ok: false, error: inlined };
  // A spec whose templates are not a list stays so, for validation to name it.
  const resolvedSpec: WorkflowSpec = {
    ...spec,
    templates: Array.isArray(spec.templates) ? inlined.templates : spec.templates,
  };
  if (inlined.hooks !== undefined) resolvedSpec.hooks = inlined.hooks;
  const storedStatus: Resolved["stored"] = {};
  if (Object.keys(inlined.used).length > 0) storedStatus.storedTemplates = inlined.used;
  if (wf.spec.workflowTemplateRef != null) storedStatus.storedWorkflowTemplateSpec = spec;
  return {
    ok: true,
    value: {
      workflow: { ...wf, spec: resolvedSpec },
      stored: storedStatus,
      sourcesKey: [...read].sort().join(","),
    },
  };
}
