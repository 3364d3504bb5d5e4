// A template's inputs from the arguments its caller passed: argument, else the input's own
// value or default; every input must end with a value that passes its enum.
import { substitute } from "../expr/template.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { Arguments, NodePhase, NodeStatus, Parameter, Template } from "../workflow.ts";
import type { Ctx, ExecRequest, InputValue } from "../context.ts";
import { initNode, keepUnresolved, updateNode } from "../context.ts";

export type { InputValue } from "../context.ts";

export function enumError(where: string, param: Parameter, value: string): string | undefined {
  if (param.enum === undefined || param.enum.length === 0 || param.enum.includes(value)) return undefined;
  return `${where}.${param.name} value "${value}" is not one of ${JSON.stringify(param.enum)}`;
}

/** The argument's value, else the input's own value or default. */
export function rawValue(param: Parameter, args: Arguments): string | undefined {
  const arg = args.parameters?.find((p) => p.name === param.name);
  return arg?.value ?? param.value ?? param.default ?? arg?.default;
}

export function resolveInputs(template: Template, args: Arguments, globals: Scope): Resolved<InputValue[]> {
  const values: InputValue[] = [];
  const scope: Record<string, string> = { ...globals };
  for (const param of template.inputs?.parameters ?? []) {
    const raw = rawValue(param, args);
    if (raw === undefined) return { ok: false, error: `inputs.parameters.${param.name} was not supplied` };
    const resolved = substitute(String(raw), scope, keepUnresolved);
    if (!resolved.ok) return { ok: false, error: `inputs.parameters.${param.name}: ${resolved.error}` };
    const bad = enumError("inputs.parameters", param, resolved.value);
    if (bad !== undefined) return { ok: false, error: bad };
    values.push({ name: param.name, value: resolved.value });
    scope[`inputs.parameters.${param.name}`] = resolved.value;
  }
  return { ok: true, value: values };
}

/** The variables a template's own fields may use. */
export function templateScope(globals: Scope, inputs: readonly InputValue[]): Record<string, string> {
  const scope: Record<string, string> = { ...globals };
  for (const input of inputs) scope[`inputs.parameters.${input.name}`] = input.value;
  if (inputs.length > 0) {
    scope["inputs.parameters"] = JSON.stringify(inputs.map((i) => ({ name: i.name, value: i.value })));
  }
  return scope;
}

export function asParameters(inputs: readonly InputValue[]): Parameter[] {
  return inputs.map((i) => ({ name: i.name, value: i.value }));
}

/** The node a template runs as (created once, idempotent), with the inputs it was given. */
export function initTemplateNode(
  ctx: Ctx,
  req: ExecRequest,
  node: { type: "Pod" | "Steps" | "DAG" | "Suspend"; phase: NodePhase },
  inputs: readonly InputValue[],
): NodeStatus {
  const created = initNode(ctx, {
    name: req.nodeName,
    type: node.type,
    templateName: req.templateName,
    boundaryID: req.boundaryID,
    phase: node.phase,
  });
  if (created.inputs !== undefined || inputs.length === 0) return created;
  return updateNode(ctx, created.id, { inputs: { parameters: asParameters(inputs) } });
}
