// `spec.workflowTemplateRef`: the workflow's spec merged over the template's, as Argo's
// JoinWorkflowSpec does (workflow/util/merge.go): a strategic merge patch of the workflow onto
// the template, so the workflow's own fields win, objects merge field by field, and the lists
// Argo's types mark `patchMergeKey` (templates, parameters, volumes, env…) merge item by item on
// that key, the template's items first; any other list is the workflow's when it has one. Hooks
// do not merge: the template's are added under names the workflow does not use. A merged
// argument parameter with a value is then taken whole from the workflow, else from the template,
// so a value and a default from different places never mix.
import type { Hooks, Parameter, WorkflowSpec } from "../workflow.ts";

type Json = unknown;
type JsonObject = Record<string, Json>;

/** List fields Argo's types merge by key (`patchMergeKey`), by field name wherever they appear. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  templates: "name",
  parameters: "name",
  artifacts: "name",
  volumes: "name",
  imagePullSecrets: "name",
  initContainers: "name",
  sidecars: "name",
  env: "name",
  volumeMounts: "mountPath",
  tolerations: "key",
  hostAliases: "ip",
};

function isObject(value: Json): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function keyOf(item: Json, key: string): string | undefined {
  if (!isObject(item)) return undefined;
  const value = item[key];
  return typeof value === "string" ? value : undefined;
}

function mergeList(base: Json[], over: Json[], key: string): Json[] {
  const keyed = (list: Json[]): boolean => list.every((item) => keyOf(item, key) !== undefined);
  if (!keyed(base) || !keyed(over)) return over;
  const overByKey = new Map(over.map((item) => [keyOf(item, key), item]));
  const merged = base.map((item) => {
    const patch = overByKey.get(keyOf(item, key));
    return patch === undefined ? item : mergeValue(item, patch);
  });
  const baseKeys = new Set(base.map((item) => keyOf(item, key)));
  return [...merged, ...over.filter((item) => !baseKeys.has(keyOf(item, key)))];
}

function mergeField(name: string, base: Json, over: Json): Json {
  if (over === undefined || over === null) return base;
  const key = MERGE_KEYS[name];
  if (key !== undefined && Array.isArray(base) && Array.isArray(over)) return mergeList(base, over, key);
  return mergeValue(base, over);
}

function mergeValue(base: Json, over: Json): Json {
  if (!isObject(base) || !isObject(over)) return over;
  const merged: JsonObject = { ...base };
  for (const [name, value] of Object.entries(over)) merged[name] = mergeField(name, base[name], value);
  return merged;
}

function hasValue(param: Parameter): boolean {
  return param.value !== undefined || param.default !== undefined || param.valueFrom !== undefined;
}

function withValueByName(spec: Partial<WorkflowSpec>): Map<string, Parameter> {
  return new Map((spec.arguments?.parameters ?? []).filter(hasValue).map((p) => [p.name, p]));
}

function mergeHooks(own: Hooks | undefined, template: Hooks | undefined): Hooks | undefined {
  if (template === undefined) return own;
  return { ...template, ...own };
}

/** The workflow's spec merged over its WorkflowTemplate's (Argo's JoinWorkflowSpec). */
export function mergeWorkflowSpec(own: WorkflowSpec, template: Partial<WorkflowSpec>): WorkflowSpec {
  const { hooks: templateHooks, ...templateRest } = template;
  const merged = mergeValue(structuredClone(templateRest), structuredClone(own)) as WorkflowSpec;
  const hooks = mergeHooks(own.hooks, templateHooks);
  if (hooks === undefined) delete merged.hooks;
  else merged.hooks = structuredClone(hooks);
  const ownParams = withValueByName(own);
  const templateParams = withValueByName(template);
  const parameters = merged.arguments?.parameters;
  if (parameters !== undefined && merged.arguments !== undefined) {
    merged.arguments.parameters = parameters.map((param) => {
      if (!hasValue(param)) return param;
      const chosen = ownParams.get(param.name) ?? templateParams.get(param.name);
      return chosen === undefined ? param : structuredClone(chosen);
    });
  }
  return merged;
}
