// `onexit artifact-gc`: the artifact GC pod's program (common/artifact-gc.ts). Deletes each key
// (a key already gone counts as deleted: S3 answers 204) and everything under `<key>/`, then exits
// 0, or 1 with what it could not delete, naming each key and the store's answer, on stdout and in
// the termination message the coordinator records.
import { writeFileSync } from "node:fs";
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { credentialEnvName, type S3Repository } from "../common/artifact-plan.ts";
import { ARTIFACT_GC_ENV, parseArtifactGCJob } from "../common/artifact-gc.ts";
import { storeAnswer } from "./s3-store.ts";

const TERMINATION_LOG = "/dev/termination-log";
/** The termination message's limit is 4096 bytes; the first failures say enough. */
const MAX_REPORTED = 5;

export function s3ClientFor(repository: S3Repository, env: NodeJS.ProcessEnv): S3Client {
  const accessKeyId = env[credentialEnvName(repository.accessKeySecret)] ?? "";
  const secretAccessKey = env[credentialEnvName(repository.secretKeySecret)] ?? "";
  return new S3Client({
    endpoint: `${repository.insecure ? "http" : "https"}://${repository.endpoint}`,
    region: repository.region || "us-east-1",
    // As the transfers' client (s3-store.ts): what S3-compatible stores expect.
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 3,
  });
}

async function deleteKey(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${key}/`, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? [])
      if (object.Key !== undefined)
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key }));
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** Deletes every key; the failures, each `<key>: <store's answer>`. */
export async function collect(client: S3Client, bucket: string, keys: readonly string[]): Promise<string[]> {
  const failures: string[] = [];
  for (const key of keys) {
    try {
      await deleteKey(client, bucket, key);
      console.log(`deleted s3://${bucket}/${key}`);
    } catch (error) {
      failures.push(`${key}: ${storeAnswer(error)}`);
    }
  }
  return failures;
}

function fail(message: string): void {
  console.error(message);
  try {
    writeFileSync(TERMINATION_LOG, message);
  } catch {
    // no termination log (outside a container): stderr says it
  }
  process.exitCode = 1;
}

export async function main(): Promise<void> {
  const parsed = parseArtifactGCJob(process.env[ARTIFACT_GC_ENV]);
  if (parsed.job === undefined) return fail(parsed.error ?? "no job");
  const { repository, keys } = parsed.job;
  const client = s3ClientFor(repository, process.env);
  const failures = await collect(client, repository.bucket, keys);
  client.destroy();
  if (failures.length === 0) return;
  const shown = failures.slice(0, MAX_REPORTED).join("; ");
  const more = failures.length > MAX_REPORTED ? `; and ${failures.length - MAX_REPORTED} more` : "";
  fail(
    `could not delete ${failures.length} of ${keys.length} key(s) from ${repository.endpoint}/${repository.bucket}: ${shown}${more}`,
  );
}
