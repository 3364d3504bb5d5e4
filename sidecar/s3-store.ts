// The S3 client for one repository, loaded only when a pod has artifact work: the AWS SDK costs
// the process ~27 MiB of RSS, which pods without artifacts never pay (sidecar/imports.test.ts).
// Path-style requests and checksums only when required, as S3-compatible stores (SeaweedFS,
// MinIO) expect. Credentials come from the env the webhook set from the Secret.
import { Transform, type Readable } from "node:stream";
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

/** How often a transfer collects garbage: the SDK's part buffers and socket chunks are external
 * memory V8 frees only past its ~64 MiB threshold, so a 1 GiB upload would sit at ~150 MiB of RSS;
 * a full collection every few MiB keeps it near 80 (measured with bench/artifact-bench.ts). */
export const GC_EVERY_BYTES = 4 * 1024 * 1024;

/** `body`, calling `collect` every GC_EVERY_BYTES that flow through it. */
export function collecting(body: Readable, collect: (() => void) | undefined): Readable {
  if (collect === undefined) return body;
  let since = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      since += chunk.length;
      if (since >= GC_EVERY_BYTES) {
        since = 0;
        collect();
      }
      done(null, chunk);
    },
  });
  body.on("error", (err) => counted.destroy(err));
  return body.pipe(counted);
}

function credential(env: Env, ref: S3Repository["accessKeySecret"]): string {
  const value = env[credentialEnvName(ref)];
  if (value === undefined || value === "")
    throw new Error(
      `credentials: env ${credentialEnvName(ref)} (Secret ${ref.name}, key ${ref.key}) is not set`,
    );
  return value;
}

type GcFunction = (options?: { type?: "major" | "minor" }) => void;

/** A full collection, when the process runs with --expose-gc (the webhook sets it for `wait` and `onexit-init`). */
export function fullGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  return gc === undefined ? undefined : () => gc({ type: "major" });
}

export async function openStore(
  repository: S3Repository,
  env: Env,
  collectGarbage?: () => void,
): Promise<ArtifactStore> {
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
        params: { Bucket, Key: key, Body: collecting(body, collectGarbage) },
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
      return collecting(answer.Body as Readable, collectGarbage);
    },
  };
}
