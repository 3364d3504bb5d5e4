// A pod template's input artifacts: where each comes from (the caller's argument, else the
// input's own source) and where it goes. `from` has been substituted by then: a step's output
// artifact reaches here as the JSON its node scope holds (scope.ts `outputs.artifacts.<name>`),
// the exit handler's `{{onexit.failedLogs}}` as failed-logs.ts writes it.
import type { InputArtifact, InputSource, S3Repository } from "../../../common/artifact-plan.ts";
import type { Resolved } from "../expr/template.ts";
import type { Arguments, Artifact, Template } from "../workflow.ts";
import type { FailedLogsReference } from "./failed-logs.ts";

type Source = Pick<Artifact, "from" | "s3" | "raw" | "http">;
type Reference = { key: string } | { files: FailedLogsReference["onexitFailedLogs"] };

/** What an artifact reference (`from`, substituted) names: one key, or the failed steps' logs. */
export function parseReference(text: string): Resolved<Reference> {
  try {
    const value = JSON.parse(text) as ({ s3?: { key?: unknown } } & Partial<FailedLogsReference>) | null;
    const key = value?.s3?.key;
    if (typeof key === "string" && key !== "") return { ok: true, value: { key } };
    if (Array.isArray(value?.onexitFailedLogs)) return { ok: true, value: { files: value.onexitFailedLogs } };
  } catch {
    // not JSON: the reference was not to an artifact
  }
  return { ok: false, error: `"${text}" is not an output artifact of an earlier step or task` };
}

function sourceFields(artifact: Source | undefined): Source | undefined {
  if (artifact === undefined) return undefined;
  const { from, s3, raw, http } = artifact;
  if (from === undefined && s3?.key === undefined && raw === undefined && http === undefined)
    return undefined;
  return { from, s3, raw, http };
}

const NO_REPOSITORY = "no artifact repository is configured (chart value artifactRepository)";

function sourceOf(where: string, given: Source, repository: S3Repository | undefined): Resolved<InputSource> {
  if (given.raw !== undefined) return { ok: true, value: { kind: "raw", data: given.raw.data ?? "" } };
  if (given.http !== undefined) return { ok: true, value: { kind: "http", url: given.http.url } };
  const named: Resolved<Reference> =
    given.from === undefined ? { ok: true, value: { key: given.s3?.key ?? "" } } : parseReference(given.from);
  if (!named.ok) return { ok: false, error: `${where}.from: ${named.error}` };
  if (repository === undefined) return { ok: false, error: `${where}: ${NO_REPOSITORY}` };
  if ("files" in named.value)
    return { ok: true, value: { kind: "s3-files", files: named.value.files, repository } };
  return { ok: true, value: { kind: "s3", key: named.value.key, repository } };
}

export interface InputArtifacts {
  /** What `onexit-init` places, in the order declared. */
  plan: InputArtifact[];
  /** The node's `inputs.artifacts`, as Argo records them. */
  recorded: Artifact[];
}

function locationOf(source: InputSource): Partial<Artifact> {
  switch (source.kind) {
    case "s3":
      return { s3: { key: source.key } };
    case "raw":
      return { raw: { data: source.data } };
    case "http":
      return { http: { url: source.url } };
    default:
      return {};
  }
}

/** One input with its source; undefined for an optional one nobody supplied. */
function resolveOne(
  input: Artifact,
  given: Source | undefined,
  repository: S3Repository | undefined,
): Resolved<InputArtifact | undefined> {
  const where = `inputs.artifacts.${input.name}`;
  if (given === undefined) {
    if (input.optional === true) return { ok: true, value: undefined };
    return { ok: false, error: `${where} was not supplied` };
  }
  if (input.path === undefined || !input.path.startsWith("/"))
    return { ok: false, error: `${where}.path must be an absolute path` };
  const source = sourceOf(where, given, repository);
  if (!source.ok) return source;
  return {
    ok: true,
    value: {
      name: input.name,
      path: input.path,
      source: source.value,
      ...(input.mode === undefined ? {} : { mode: input.mode }),
      optional: input.optional === true,
      unpack: input.archive?.none === undefined,
    },
  };
}

/**
 * Each declared input artifact with its source; an optional one nobody supplied is left out
 * (Argo's), a required one is an error naming it.
 */
export function resolveInputArtifacts(
  template: Template,
  args: Arguments,
  repository: S3Repository | undefined,
): Resolved<InputArtifacts> {
  const out: InputArtifacts = { plan: [], recorded: [] };
  for (const input of template.inputs?.artifacts ?? []) {
    const arg = args.artifacts?.find((a) => a.name === input.name);
    const resolved = resolveOne(input, sourceFields(arg) ?? sourceFields(input), repository);
    if (!resolved.ok) return resolved;
    if (resolved.value === undefined) continue;
    out.plan.push(resolved.value);
    out.recorded.push({ name: input.name, path: input.path, ...locationOf(resolved.value.source) });
  }
  return { ok: true, value: out };
}

/** `inputs.artifacts.<name>.path` and `inputs.artifacts.<name>` (the artifact, to pass on with `from`). */
export function inputArtifactScope(recorded: readonly Artifact[]): Record<string, string> {
  const scope: Record<string, string> = {};
  for (const artifact of recorded) {
    scope[`inputs.artifacts.${artifact.name}`] = JSON.stringify(artifact);
    if (artifact.path !== undefined) scope[`inputs.artifacts.${artifact.name}.path`] = artifact.path;
  }
  return scope;
}
