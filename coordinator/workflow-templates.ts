// The (Cluster)WorkflowTemplates a workflow references, for the engine's input: from the
// informers' caches, and for one the caches do not hold, from the API server (a template created
// a moment before the workflow may not have reached its informer yet, and the engine takes an
// absent template as a fact: the workflow would end in Error). A template the API server does not
// have either is left out, and the engine says so in the workflow's status.
import { referencedTemplates, type Workflow, type WorkflowTemplate } from "./engine/index.ts";

export interface TemplateRefLike {
  name: string;
  clusterScope: boolean;
}

export interface TemplateSources {
  /** The caches' copy; undefined when they do not hold it. */
  cached(namespace: string, ref: TemplateRefLike): WorkflowTemplate | undefined;
  /** The API server's; undefined when it does not exist. */
  fetch(namespace: string, ref: TemplateRefLike): Promise<WorkflowTemplate | undefined>;
}

/** Each round finds at most one more missing template, so this bounds a chain of them. */
const MAX_ROUNDS = 16;

const keyOf = (ref: TemplateRefLike): string => `${ref.clusterScope ? "cluster" : "namespaced"}/${ref.name}`;

export async function templatesOf(workflow: Workflow, sources: TemplateSources): Promise<WorkflowTemplate[]> {
  const namespace = workflow.metadata.namespace ?? "";
  const fetched = new Map<string, WorkflowTemplate | undefined>();
  let found: WorkflowTemplate[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const missing: TemplateRefLike[] = [];
    found = referencedTemplates(workflow, (ref) => {
      const key = keyOf(ref);
      if (fetched.has(key)) return fetched.get(key);
      const template = sources.cached(namespace, ref);
      if (template === undefined) missing.push(ref);
      return template;
    });
    if (missing.length === 0) return found;
    for (const ref of missing) fetched.set(keyOf(ref), await sources.fetch(namespace, ref));
  }
  return found;
}
