// Output parameters: the files `main` wrote into the shared volume, as the pod annotation
// onexit.dev/outputs lists them. Problems are returned as warnings, never thrown.
import { isUntouchedPlaceholder } from "../common/output-placeholder.ts";
import { MAX_OUTPUT_NAME_LENGTH, MAX_OUTPUT_VALUE_BYTES, MAX_OUTPUTS } from "../common/report-limits.ts";

export interface OutputSpec {
  name: string;
  path: string;
}

export interface OutputValue {
  name: string;
  value: string;
}

export interface ReadOutputsResult {
  outputs: OutputValue[];
  warnings: string[];
}

/** A bounded prefix of an output file and its modification time. */
export interface OutputFile {
  data: Buffer;
  mtimeMs: number;
}

/** Reads at most `maxBytes` of a file inside `dir`; throws (ENOENT, escape, …) when it cannot. */
export type ReadPrefix = (relativePath: string, maxBytes: number) => Promise<OutputFile>;

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** `[{name, path}, ...]` with non-empty strings (other keys ignored), checked by hand rather
 * than with zod, which would cost ~18 MiB of the sidecar's memory budget. */
function asSpecs(raw: unknown): OutputSpec[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const specs: OutputSpec[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== "object" || item === null) return undefined;
    const { name, path } = item as Record<string, unknown>;
    if (!isNonEmptyString(name) || !isNonEmptyString(path)) return undefined;
    specs.push({ name, path });
  }
  return specs;
}

/** A path must stay inside the volume: relative, no `..`, no empty segments. */
export function safeRelativePath(path: string): boolean {
  if (path.startsWith("/") || path.includes("\0")) return false;
  return path.split("/").every((segment) => segment !== ".." && segment !== "");
}

export function parseOutputSpecs(annotation: string | undefined): {
  specs: OutputSpec[];
  warnings: string[];
} {
  if (annotation === undefined || annotation === "") return { specs: [], warnings: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(annotation);
  } catch {
    return { specs: [], warnings: ["outputs annotation is not JSON"] };
  }
  const parsed = asSpecs(raw);
  if (parsed === undefined)
    return { specs: [], warnings: ["outputs annotation is not a list of {name, path}"] };
  const warnings: string[] = [];
  const specs = parsed.filter((spec) => {
    if (spec.name.length > MAX_OUTPUT_NAME_LENGTH) {
      warnings.push(
        `output ${spec.name.slice(0, 64)}…: name longer than ${MAX_OUTPUT_NAME_LENGTH} characters`,
      );
      return false;
    }
    if (safeRelativePath(spec.path)) return true;
    warnings.push(`output ${spec.name}: path ${spec.path} leaves the outputs volume`);
    return false;
  });
  if (specs.length > MAX_OUTPUTS)
    warnings.push(`only the first ${MAX_OUTPUTS} of ${specs.length} outputs are read`);
  return { specs: specs.slice(0, MAX_OUTPUTS), warnings };
}

/** Argo trims one trailing newline "for user convenience"; so does onexit. */
function trimOneNewline(text: string): string {
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

export async function readOutputs(specs: OutputSpec[], readPrefix: ReadPrefix): Promise<ReadOutputsResult> {
  const outputs: OutputValue[] = [];
  const warnings: string[] = [];
  for (const spec of specs) {
    let file: OutputFile;
    try {
      file = await readPrefix(spec.path, MAX_OUTPUT_VALUE_BYTES + 2);
    } catch (err) {
      const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : String(err);
      warnings.push(`output ${spec.name}: cannot read ${spec.path} (${code})`);
      continue;
    }
    if (isUntouchedPlaceholder({ size: file.data.length, mtimeMs: file.mtimeMs })) {
      warnings.push(`output ${spec.name}: main did not write ${spec.path}`);
      continue;
    }
    const value = trimOneNewline(file.data.toString("utf8"));
    if (Buffer.byteLength(value) > MAX_OUTPUT_VALUE_BYTES) {
      warnings.push(`output ${spec.name}: ${spec.path} is larger than ${MAX_OUTPUT_VALUE_BYTES} bytes`);
      continue;
    }
    outputs.push({ name: spec.name, value });
  }
  return { outputs, warnings };
}
