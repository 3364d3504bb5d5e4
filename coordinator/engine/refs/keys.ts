// Where a referenced template comes from, as one string: Argo's storedTemplates key
// (`namespaced/<WorkflowTemplate>/<template>`, `cluster/<ClusterWorkflowTemplate>/<template>`).
// Resolution inlines a referenced template into the workflow under this key, so the rest of the
// engine finds it by name like any other; a template name of the workflow's own never has a "/".
import type { TemplateRef } from "../workflow.ts";

export type ResourceScope = "namespaced" | "cluster";

/** A WorkflowTemplate (`namespaced`) or ClusterWorkflowTemplate (`cluster`) by name. */
export interface Holder {
  scope: ResourceScope;
  name: string;
}

export function holderOf(ref: { name: string; clusterScope?: boolean | undefined }): Holder {
  return { scope: ref.clusterScope === true ? "cluster" : "namespaced", name: ref.name };
}

export function templateKey(holder: Holder, template: string): string {
  return `${holder.scope}/${holder.name}/${template}`;
}

export function keyOfRef(ref: TemplateRef): string {
  return templateKey(holderOf(ref), ref.template);
}

/** The reference a key stands for; undefined for a template of the workflow's own. */
export function refOfKey(key: string): TemplateRef | undefined {
  const parts = key.split("/");
  if (parts.length !== 3) return undefined;
  const [scope, name = "", template = ""] = parts;
  if (scope === "cluster") return { name, template, clusterScope: true };
  if (scope === "namespaced") return { name, template };
  return undefined;
}

/** The template's name where it is written: what pod names and `argo get` show. */
export function shortTemplateName(key: string): string {
  return refOfKey(key)?.template ?? key;
}

/** How a message names a holder, as the API server names a missing object. */
export function describeHolder(holder: Holder): string {
  const resource = holder.scope === "cluster" ? "clusterworkflowtemplates" : "workflowtemplates";
  return `${resource}.argoproj.io "${holder.name}"`;
}
