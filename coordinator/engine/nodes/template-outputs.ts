// Outputs of a steps or DAG template: parameters taken from its children
// (`valueFrom.parameter: "{{steps.x.outputs.parameters.y}}"`), published under globalName.
import { substitute } from "../expr/template.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { Outputs, Parameter, Template } from "../workflow.ts";
import type { Ctx } from "../context.ts";
import { keepUnresolved, setGlobalOutput } from "../context.ts";

function valueOf(param: Parameter, scope: Scope): Resolved<string | undefined> {
  const raw = param.valueFrom?.parameter ?? param.value;
  if (raw === undefined) return { ok: true, value: param.valueFrom?.default };
  const value = substitute(String(raw), scope, keepUnresolved);
  if (!value.ok && param.valueFrom?.default !== undefined)
    return { ok: true, value: param.valueFrom.default };
  return value.ok ? value : { ok: false, error: `outputs.parameters.${param.name}: ${value.error}` };
}

export function templateOutputs(ctx: Ctx, template: Template, scope: Scope): Resolved<Outputs | undefined> {
  const parameters: Parameter[] = [];
  for (const param of template.outputs?.parameters ?? []) {
    const value = valueOf(param, scope);
    if (!value.ok) return value;
    if (value.value === undefined) continue;
    parameters.push({ name: param.name, value: value.value });
    if (param.globalName !== undefined) {
      setGlobalOutput(ctx, param.globalName, value.value);
    }
  }
  return { ok: true, value: parameters.length > 0 ? { parameters } : undefined };
}
