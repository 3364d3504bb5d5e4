// A finished step's outputs: its declared output parameters from the report (else their
// `valueFrom.default`), `result` when the whole log fit in the report, and the exit code.
import type { Outputs, Parameter, Template } from "../workflow.ts";
import type { PodResult } from "./pod-observe.ts";
import { recordedArtifacts } from "./artifact-outputs.ts";

export interface PodOutputs {
  outputs: Outputs;
  /** Values published under a parameter's globalName. */
  globals: Record<string, string>;
  /** Why the step fails: a declared file output the sidecar did not report, with no default. */
  missing: string | undefined;
}

function valueOf(param: Parameter, result: PodResult): string | undefined {
  return result.outputs?.[param.name] ?? param.valueFrom?.default;
}

/** Only a report can carry file outputs; without one they are absent, and missing only when
 * a sidecar should have read them: it reported, or it gave up saying why. */
function isMissing(param: Parameter, result: PodResult): boolean {
  const expected = result.report !== undefined || result.sidecarFailure !== undefined;
  return expected && param.valueFrom?.path !== undefined && valueOf(param, result) === undefined;
}

/** Argo's executor fails on the file's ENOENT; the sidecar also leaves out a file it could not
 * read (too large, unreadable), and its log says which. */
export function missingMessage(param: Parameter): string {
  return (
    `output parameter ${param.name}: ${param.valueFrom?.path ?? ""}: no such file or directory ` +
    `(or not readable: see the wait container's log)`
  );
}

function parametersOf(
  template: Template,
  result: PodResult,
): Omit<PodOutputs, "outputs"> & { parameters: Parameter[] } {
  const declared = template.outputs?.parameters ?? [];
  const parameters: Parameter[] = [];
  const globals: Record<string, string> = {};
  for (const param of declared) {
    const value = valueOf(param, result);
    if (value === undefined) continue;
    parameters.push({ name: param.name, value });
    if (param.globalName !== undefined) globals[param.globalName] = value;
  }
  const absent = declared.find((param) => isMissing(param, result));
  return { parameters, globals, missing: absent === undefined ? undefined : missingMessage(absent) };
}

export function podOutputs(template: Template, result: PodResult): PodOutputs {
  const { parameters, globals, missing } = parametersOf(template, result);
  const artifacts = recordedArtifacts(template, result);
  const outputs: Outputs = {};
  if (parameters.length > 0) outputs.parameters = parameters;
  if (artifacts.artifacts.length > 0) outputs.artifacts = artifacts.artifacts;
  if (result.result !== undefined) outputs.result = result.result;
  if (result.exitCode !== undefined) outputs.exitCode = String(result.exitCode);
  return { outputs, globals, missing: missing ?? artifacts.missing };
}
