// The S3 client for one repository, loaded only when a pod has artifact work: the AWS SDK costs
// the process ~27 MiB of RSS, which pods without artifacts never pay (sidecar/imports.test.ts).
// Path-style requests and checksums only when required, as S3-compatible stores (SeaweedFS,
// MinIO) expect. Credentials come from the env the webhook set from the Secret.
import type { Readable } from "node:stream";
import type { S3Repository } from "../common/artifact-plan.ts";
import { credentialEnvName } from "../common/artifact-plan.ts";

type Env = Record<string, string | undefined>;

/** What the init container and the sidecar do with a store; errors carry the store's answer. */
export interface ArtifactStore {
  /** Streams `body` to `key` in parts (bounded memory whatever the size). */
  upload(key: string, body: Readable, signal?: AbortSignal): Promise<void>;
  download(key: string): Promise<Readable>;
}

/** Part size and parts in flight: at most ~2 parts of memory per upload (S3's minimum part is 5 MiB). */
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;
export const UPLOAD_QUEUE_SIZE = 1;

export function storeUrl(repository: S3Repository, key: string): string {
  return `s3://${repository.bucket}/${key}`;
}

/** The store's answer in one line: `NoSuchKey: The specified key does not exist.`, `connect ECONNREFUSED …`. */
export function storeAnswer(err: unknown): string {
  const e = err as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
  const text = `${name}${e.message ?? String(err)}`;
  return status === undefined ? text : `${text} (HTTP ${status})`;
}

/** True for an answer that means the object is not there (an optional input may be absent). */
export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}

function credential(env: Env, ref: S3Repository["accessKeySecret"]): string {
  const value = env[credentialEnvName(ref)];
  if (value === undefined || value === "")
    throw new Error(
      `credentials: env ${credentialEnvName(ref)} (Secret ${ref.name}, key ${ref.key}) is not set`,
    );
  return value;
}

export async function openStore(repository: S3Repository, env: Env): Promise<ArtifactStore> {
  const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
  const { Upload } = await import("@aws-sdk/lib-storage");
  const client = new S3Client({
    endpoint: `${repository.insecure ? "http" : "https"}://${repository.endpoint}`,
    region: repository.region || "us-east-1",
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
    credentials: {
      accessKeyId: credential(env, repository.accessKeySecret),
      secretAccessKey: credential(env, repository.secretKeySecret),
    },
  });
  const Bucket = repository.bucket;
  return {
    async upload(key, body, signal) {
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body },
        partSize: UPLOAD_PART_BYTES,
        queueSize: UPLOAD_QUEUE_SIZE,
        leavePartsOnError: false,
      });
      const abort = (): void => void upload.abort();
      signal?.addEventListener("abort", abort);
      try {
        await upload.done();
      } finally {
        signal?.removeEventListener("abort", abort);
      }
    },
    async download(key) {
      const answer = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      return answer.Body as Readable;
    },
  };
}
