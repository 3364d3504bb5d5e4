// The artifact repository a workflow's pods use, as the resolver hands it to the engine (the
// `artifact-repositories` ConfigMap, `spec.artifactRepositoryRef` or the chart's default), and
// the key prefix it gives one pod: Argo's `keyFormat`, substituted with the pod's variables.
import type { S3Repository } from "../../../common/artifact-plan.ts";
import { DEFAULT_KEY_FORMAT } from "../../../common/artifact-plan.ts";
import { substitute } from "../expr/template.ts";
import type { Resolved, Scope } from "../expr/template.ts";
import type { Ctx } from "../context.ts";
import { keyFormatOf, s3RepositoryOf } from "../artifacts/s3.ts";

export interface ArtifactRepository {
  s3: Omit<S3Repository, "keyPrefix">;
  /** Argo's `keyFormat`, unsubstituted; absent: DEFAULT_KEY_FORMAT. */
  keyFormat?: string;
  /** The repository's `archiveLogs` (Argo's ArtifactRepository field; the chart's default). */
  archiveLogs?: boolean;
}

/** The workflow's repository as resolved and stored in its status (artifacts/repository.ts), in
 * the shape the pod plan uses; undefined when none is configured or it is not S3. */
export function repositoryOf(ctx: Ctx): ArtifactRepository | undefined {
  const resolved = ctx.artifactRepository.artifactRepository;
  const s3 = s3RepositoryOf(resolved, "");
  if (s3 === undefined || resolved?.s3 === undefined) return undefined;
  const { keyPrefix: _unused, ...store } = s3;
  const archiveLogs = resolved.archiveLogs;
  return {
    s3: store,
    keyFormat: keyFormatOf(resolved.s3),
    ...(archiveLogs === undefined ? {} : { archiveLogs }),
  };
}

/** `keyFormat` for this pod, without leading or trailing slashes (keys are joined with `/`). */
export function keyPrefixOf(repository: ArtifactRepository, scope: Scope): Resolved<string> {
  const format = repository.keyFormat || DEFAULT_KEY_FORMAT;
  const substituted = substitute(format, scope);
  if (!substituted.ok) return { ok: false, error: `artifact repository keyFormat: ${substituted.error}` };
  return { ok: true, value: substituted.value.replace(/^\/+|\/+$/g, "") };
}

export function joinKey(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}/${name}`;
}

export function withPrefix(repository: ArtifactRepository, keyPrefix: string): S3Repository {
  return { ...repository.s3, keyPrefix };
}
