// From the resolved repository (Argo's shape, as stored in the status) to the S3 store a pod's
// artifact plan names (common/artifact-plan.ts), with Argo's defaults filled in.
import { DEFAULT_KEY_FORMAT, type S3Repository } from "../../../common/artifact-plan.ts";
import type { ArtifactRepository, S3ArtifactRepository } from "../workflow.ts";

/** Argo's: an S3 repository without an endpoint is AWS's. */
export const DEFAULT_S3_ENDPOINT = "s3.amazonaws.com";
export const DEFAULT_S3_REGION = "us-east-1";

export const NO_REPOSITORY =
  "no artifact repository: set spec.artifactRepositoryRef, an artifact-repositories ConfigMap in the workflow's namespace, or the chart's artifactRepository";

/** The key format to substitute for a pod (Argo's `keyFormat`, or the deprecated `keyPrefix`). */
export function keyFormatOf(s3: S3ArtifactRepository): string {
  if (s3.keyFormat !== undefined && s3.keyFormat !== "") return s3.keyFormat;
  const prefix = (s3.keyPrefix ?? "").replace(/\/+$/, "");
  return prefix === "" ? DEFAULT_KEY_FORMAT : `${prefix}/${DEFAULT_KEY_FORMAT}`;
}

/**
 * The store for a pod's plan, `keyPrefix` being keyFormatOf's format already substituted for the
 * pod; undefined when there is no S3 repository (the step must then fail with NO_REPOSITORY).
 * The resolver checked the fields (repository.ts), so the secrets are there.
 */
export function s3RepositoryOf(
  repository: ArtifactRepository | undefined,
  keyPrefix: string,
): S3Repository | undefined {
  const s3 = repository?.s3;
  if (s3?.bucket === undefined || s3.accessKeySecret === undefined || s3.secretKeySecret === undefined)
    return undefined;
  return {
    endpoint: s3.endpoint ?? DEFAULT_S3_ENDPOINT,
    bucket: s3.bucket,
    insecure: s3.insecure ?? false,
    region: s3.region ?? DEFAULT_S3_REGION,
    keyPrefix,
    accessKeySecret: { name: s3.accessKeySecret.name, key: s3.accessKeySecret.key },
    secretKeySecret: { name: s3.secretKeySecret.name, key: s3.secretKeySecret.key },
  };
}
