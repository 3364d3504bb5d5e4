// The test cluster's artifact store (SeaweedFS, started by test/cluster/up.sh, which writes its
// address and test key pair to $ONEXIT_STATE/artifact-store.env): the chart values that make it
// the default repository, and the credentials' Secret a workflow's namespace needs (Argo's rule:
// the Secret lives beside the workflow: a test making its own namespace calls createArtifactSecret).
// Absent on a cluster the tests did not start (kind ...).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { applyYaml } from "./kube.ts";

export interface ArtifactStore {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  /** SeaweedFS's master (for `weed shell`: bucket quotas), when the store is SeaweedFS. */
  master?: string;
}

/** The Secret, and its keys, that the default repository names. */
export const ARTIFACT_SECRET = {
  name: "onexit-artifacts",
  accessKey: "accesskey",
  secretKey: "secretkey",
} as const;

export function artifactStore(): ArtifactStore | undefined {
  const file = join(process.env.ONEXIT_STATE || "/tmp/onexit-cluster", "artifact-store.env");
  if (!existsSync(file)) return undefined;
  const env = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const { S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY, SEAWEEDFS_MASTER } = env;
  if (!S3_ENDPOINT || !S3_BUCKET || !S3_ACCESS_KEY || !S3_SECRET_KEY) return undefined;
  const store = {
    endpoint: S3_ENDPOINT,
    bucket: S3_BUCKET,
    accessKey: S3_ACCESS_KEY,
    secretKey: S3_SECRET_KEY,
  };
  return SEAWEEDFS_MASTER ? { ...store, master: SEAWEEDFS_MASTER } : store;
}

/** The chart's `artifactRepository` for the store (Argo's shape). */
export function artifactRepositoryValue(store: ArtifactStore): Record<string, unknown> {
  return {
    s3: {
      endpoint: store.endpoint,
      bucket: store.bucket,
      insecure: true,
      region: "us-east-1",
      accessKeySecret: { name: ARTIFACT_SECRET.name, key: ARTIFACT_SECRET.accessKey },
      secretKeySecret: { name: ARTIFACT_SECRET.name, key: ARTIFACT_SECRET.secretKey },
    },
  };
}

/** Puts the credentials' Secret in `namespace` (idempotent); a no-op without a store. */
export function createArtifactSecret(namespace: string, store = artifactStore()): void {
  if (store === undefined) return;
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: ARTIFACT_SECRET.name, namespace },
    stringData: {
      [ARTIFACT_SECRET.accessKey]: store.accessKey,
      [ARTIFACT_SECRET.secretKey]: store.secretKey,
    },
  };
  applyYaml(JSON.stringify(secret));
}
