// The artifact plan of one pod (common/artifact-plan.ts): output keys from the repository's
// keyFormat (Argo's names: `<name>.tgz`, the file's own name with `archive: none`, `main.log`),
// the inputs resolved by artifact-inputs.ts, and whether `main`'s log is archived.
import type { ArtifactPlan, InputArtifact, OutputArtifact } from "../../../common/artifact-plan.ts";
import { MAIN_LOG_FILE } from "../../../common/artifact-plan.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { Artifact, Template, Workflow } from "../workflow.ts";
import type { ArtifactRepository } from "./artifact-repository.ts";
import { joinKey, keyPrefixOf, withPrefix } from "./artifact-repository.ts";

function baseName(path: string): string {
  return path.replace(/\/+$/, "").split("/").at(-1) ?? "";
}

export function isArchiveNone(artifact: Artifact): boolean {
  return artifact.archive !== undefined && artifact.archive !== null && artifact.archive.none !== undefined;
}

function outputOf(artifact: Artifact, prefix: string): Resolved<OutputArtifact> {
  const where = `outputs.artifacts.${artifact.name}`;
  const path = artifact.path;
  if (path === undefined || !path.startsWith("/") || baseName(path) === "")
    return { ok: false, error: `${where}.path must be an absolute path` };
  const none = isArchiveNone(artifact);
  const key = artifact.s3?.key || joinKey(prefix, none ? baseName(path) : `${artifact.name}.tgz`);
  return {
    ok: true,
    value: {
      name: artifact.name,
      path,
      key,
      archive: none ? "none" : "tgz",
      optional: artifact.optional === true,
    },
  };
}

/** Argo's order: the template's `archiveLocation.archiveLogs`, the workflow's, the repository's. */
export function archiveLogsOf(
  wf: Workflow,
  template: Template,
  repository: ArtifactRepository | undefined,
): boolean {
  const location = template["archiveLocation"] as { archiveLogs?: boolean } | undefined;
  const own = location?.archiveLogs ?? (wf.spec["archiveLogs"] as boolean | undefined);
  return own ?? repository?.archiveLogs ?? false;
}

function outputsOf(declared: readonly Artifact[], prefix: string): Resolved<OutputArtifact[]> {
  const outputs: OutputArtifact[] = [];
  for (const artifact of declared) {
    const output = outputOf(artifact, prefix);
    if (!output.ok) return output;
    outputs.push(output.value);
  }
  return { ok: true, value: outputs };
}

export interface PlanInput {
  wf: Workflow;
  /** The substituted template. */
  template: Template;
  inputs: readonly InputArtifact[];
  repository: ArtifactRepository | undefined;
  /** The pod's variables (workflow.*, pod.name): keyFormat's scope. */
  scope: Scope;
}

/** The pod's plan, or undefined when it has no artifact work at all. */
export function artifactPlan(input: PlanInput): Resolved<ArtifactPlan | undefined> {
  const { template, repository } = input;
  const declared = template.outputs?.artifacts ?? [];
  const logs = archiveLogsOf(input.wf, template, repository);
  if (declared.length === 0 && !logs && input.inputs.length === 0) return { ok: true, value: undefined };
  if (repository === undefined) {
    if (declared.length > 0 || logs)
      return { ok: false, error: "no artifact repository is configured (chart value artifactRepository)" };
    return { ok: true, value: { outputs: [], inputs: [...input.inputs] } };
  }
  const prefix = keyPrefixOf(repository, input.scope);
  if (!prefix.ok) return prefix;
  const outputs = outputsOf(declared, prefix.value);
  if (!outputs.ok) return outputs;
  const plan: ArtifactPlan = {
    repository: withPrefix(repository, prefix.value),
    outputs: outputs.value,
    inputs: [...input.inputs],
  };
  if (logs) plan.logsKey = joinKey(prefix.value, MAIN_LOG_FILE);
  return { ok: true, value: plan };
}
