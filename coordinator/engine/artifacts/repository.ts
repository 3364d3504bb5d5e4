// Which artifact repository a workflow uses, as Argo decides it (workflow/artifactrepositories):
// with `spec.artifactRepositoryRef`, its ConfigMap (default `artifact-repositories`) in the
// workflow's namespace, else in the coordinator's; without it, the `artifact-repositories`
// ConfigMap of the workflow's namespace, else the chart's default. The key defaults to the
// ConfigMap's `workflows.argoproj.io/default-artifact-repository` annotation. The result is stored
// in `status.artifactRepositoryRef` (with the repository itself, as Argo v3.1+), so a ConfigMap
// changed while the workflow runs changes nothing for it. Pure: the runtime reads the ConfigMaps.
import type { V1ConfigMap } from "@kubernetes/client-node";
import { parse } from "yaml";
import { z } from "zod";
import type { ArtifactRepository, ArtifactRepositoryRefStatus, Workflow } from "../workflow.ts";
import { isWorkflowDone } from "../workflow.ts";

/** Argo's names: the ConfigMap looked for by default, and the annotation naming its default key. */
export const ARTIFACT_REPOSITORIES_CONFIGMAP = "artifact-repositories";
export const DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION = "workflows.argoproj.io/default-artifact-repository";

export type RepositoryResolution =
  { ok: true; ref: ArtifactRepositoryRefStatus } | { ok: false; error: string };

export interface RepositorySources {
  /** The ConfigMaps the runtime found among artifactRepositoryConfigMaps' names (absent: not found). */
  configMaps: readonly V1ConfigMap[];
  /** The coordinator's namespace (Argo's "managed namespace"). */
  controllerNamespace: string | undefined;
  /** The chart's `artifactRepository`; undefined when none is set. */
  defaultRepository: ArtifactRepository | undefined;
}

export interface ConfigMapName {
  namespace: string;
  name: string;
}

const REF = "spec.artifactRepositoryRef";

/** The ConfigMaps to read for this workflow, in the order they are tried; none once resolved. */
export function artifactRepositoryConfigMaps(
  wf: Workflow,
  controllerNamespace: string | undefined,
): ConfigMapName[] {
  if (wf.status?.artifactRepositoryRef !== undefined || isWorkflowDone(wf.status?.phase)) return [];
  return candidatesOf(wf, controllerNamespace);
}

function candidatesOf(wf: Workflow, controllerNamespace: string | undefined): ConfigMapName[] {
  const namespace = wf.metadata.namespace ?? "default";
  const ref = wf.spec.artifactRepositoryRef;
  if (ref === undefined) return [{ namespace, name: ARTIFACT_REPOSITORIES_CONFIGMAP }];
  const name = ref.configMap ?? ARTIFACT_REPOSITORIES_CONFIGMAP;
  const namespaces = [namespace];
  if (controllerNamespace !== undefined && controllerNamespace !== namespace)
    namespaces.push(controllerNamespace);
  return namespaces.map((ns) => ({ namespace: ns, name }));
}

/** The workflow's repository: the stored one once resolved, else resolved from the sources. */
export function resolveArtifactRepository(wf: Workflow, sources: RepositorySources): RepositoryResolution {
  const stored = wf.status?.artifactRepositoryRef;
  if (stored !== undefined) return { ok: true, ref: stored };
  const found = (c: ConfigMapName): V1ConfigMap | undefined =>
    sources.configMaps.find((cm) => cm.metadata?.namespace === c.namespace && cm.metadata.name === c.name);
  const candidates = candidatesOf(wf, sources.controllerNamespace);
  for (const candidate of candidates) {
    const configMap = found(candidate);
    if (configMap !== undefined) return fromConfigMap(wf, candidate, configMap);
  }
  if (wf.spec.artifactRepositoryRef !== undefined) {
    const where = candidates.map((c) => c.namespace).join(" or ");
    return {
      ok: false,
      error: `${REF}.configMap: no ConfigMap "${candidates[0]?.name}" in namespace ${where}`,
    };
  }
  if (sources.defaultRepository === undefined) return { ok: true, ref: { default: true } };
  return { ok: true, ref: { default: true, artifactRepository: sources.defaultRepository } };
}

function fromConfigMap(wf: Workflow, at: ConfigMapName, configMap: V1ConfigMap): RepositoryResolution {
  const ref = wf.spec.artifactRepositoryRef;
  const field = ref === undefined ? `ConfigMap ${at.namespace}/${at.name}` : `${REF}.key`;
  const key = ref?.key ?? configMap.metadata?.annotations?.[DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION];
  if (key === undefined || key === "")
    return {
      ok: false,
      error: `${field}: no key given, and ConfigMap ${at.namespace}/${at.name} has no ${DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION} annotation`,
    };
  const value = configMap.data?.[key];
  if (value === undefined)
    return { ok: false, error: `${field}: ConfigMap ${at.namespace}/${at.name} has no key "${key}"` };
  const repository = parseRepository(value);
  if (!repository.ok)
    return {
      ok: false,
      error: `${field}: ConfigMap ${at.namespace}/${at.name} key "${key}": ${repository.error}`,
    };
  return {
    ok: true,
    ref: { configMap: at.name, key, namespace: at.namespace, artifactRepository: repository.value },
  };
}

const secretKey = z.object({ name: z.string().min(1), key: z.string().min(1) });

/** What onexit can use of Argo's ArtifactRepository: S3 only, credentials from a Secret. */
export const artifactRepositorySchema = z
  .object({
    archiveLogs: z.boolean().optional(),
    s3: z
      .looseObject({
        endpoint: z.string().min(1).optional(),
        bucket: z.string().min(1),
        region: z.string().min(1).optional(),
        insecure: z.boolean().optional(),
        keyFormat: z.string().min(1).optional(),
        keyPrefix: z.string().optional(),
        accessKeySecret: secretKey,
        secretKeySecret: secretKey,
        useSDKCreds: z
          .literal(false, { error: "not supported by onexit: name the credentials' Secret" })
          .optional(),
      })
      .optional(),
  })
  .catchall(z.unknown())
  .superRefine((repo, ctx) => {
    const others = Object.keys(repo).filter((k) => k !== "archiveLogs" && k !== "s3");
    if (others.length > 0)
      ctx.addIssue({
        code: "custom",
        message: `only s3 repositories are supported by onexit, not ${others.join(", ")}`,
      });
  });

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseRepository(text: string): Parsed<ArtifactRepository> {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `not YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    };
  }
  return checkRepository(raw);
}

/** Checks a repository (a ConfigMap's, or the chart's default): the first problem, field by field. */
export function checkRepository(raw: unknown): Parsed<ArtifactRepository> {
  const result = artifactRepositorySchema.safeParse(raw);
  if (result.success) return { ok: true, value: raw as ArtifactRepository };
  const issue = result.error.issues[0];
  const path = issue?.path.join(".") ?? "";
  return { ok: false, error: path === "" ? (issue?.message ?? "invalid") : `${path}: ${issue?.message}` };
}
