// `onexit artifacts-init [FILE...]`: the `onexit-init` container of a pod with an artifact plan.
// Creates the output parameter files (as `output-placeholders` does), copies the copier
// (busybox) into the artifacts volume when `main` has outputs, and places each input artifact at
// `in/<i>` for `main` to mount. A required input it cannot fetch ends it with exit 1 and
// `input artifact NAME: <source>: <the store's answer>` in its termination message, which the
// coordinator puts in the step's message; an optional one is skipped, and its log says why.
import { chmod, copyFile, mkdir, stat, writeFile } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ArtifactPlan, InputArtifact, S3Repository } from "../common/artifact-plan.ts";
import {
  ARTIFACT_PLAN_ENV,
  ARTIFACTS_INIT_COMMAND,
  ARTIFACTS_MOUNT_PATH,
  COPIER_SOURCES,
  COPIER_SUBPATH,
  inputSubPath,
  needsCopier,
  parseArtifactPlan,
} from "../common/artifact-plan.ts";
import { createPlaceholders } from "./output-placeholders.ts";
import { chmodTree, placeStream } from "./artifact-place.ts";
import type { ArtifactStore } from "./s3-store.ts";
import { fullGc, openStore, storeAnswer, storeUrl } from "./s3-store.ts";
import { TERMINATION_MESSAGE_PATH, terminationLine } from "./termination-message.ts";

type Env = Record<string, string | undefined>;

export interface InitDeps {
  root: string;
  env: Env;
  /** The first of these that exists is the copier. */
  copierSources: readonly string[];
  openStore: (repository: S3Repository, env: Env) => Promise<ArtifactStore>;
  fetch: typeof fetch;
  log: (line: string) => void;
}

function describeSource(input: InputArtifact): string {
  const source = input.source;
  if (source.kind === "s3") return storeUrl(source.repository, source.key);
  if (source.kind === "s3-files") return `s3://${source.repository.bucket} (${source.files.length} logs)`;
  if (source.kind === "http") return source.url;
  return "raw";
}

async function httpBody(fetchFn: typeof fetch, url: string): Promise<Readable> {
  const answer = await fetchFn(url);
  if (!answer.ok || answer.body === null)
    throw Object.assign(new Error(`HTTP ${answer.status} ${answer.statusText}`), {
      $metadata: { httpStatusCode: answer.status },
    });
  return Readable.fromWeb(answer.body as WebReadableStream);
}

async function fetchInput(input: InputArtifact, dest: string, deps: InitDeps): Promise<void> {
  const source = input.source;
  const options = { unpack: input.unpack };
  switch (source.kind) {
    case "raw":
      return writeFile(dest, source.data);
    case "http":
      return placeStream(await httpBody(deps.fetch, source.url), dest, options);
    case "s3": {
      const store = await deps.openStore(source.repository, deps.env);
      return placeStream(await store.download(source.key), dest, options);
    }
    case "s3-files": {
      await mkdir(dest, { recursive: true });
      const store = await deps.openStore(source.repository, deps.env);
      for (const file of source.files)
        await placeStream(await store.download(file.key), `${dest}/${file.name}`, { unpack: false });
      return;
    }
  }
}

async function placeInput(input: InputArtifact, index: number, deps: InitDeps): Promise<void> {
  const dest = `${deps.root}/${inputSubPath(index)}`;
  try {
    await fetchInput(input, dest, deps);
    if (input.mode !== undefined) await chmodTree(dest, input.mode);
    deps.log(`input artifact ${input.name}: placed at ${input.path}`);
  } catch (err) {
    const message = `input artifact ${input.name}: ${describeSource(input)}: ${storeAnswer(err)}`;
    throw new Error(message, { cause: err });
  }
}

async function firstExisting(paths: readonly string[]): Promise<string> {
  for (const path of paths) if ((await stat(path).catch(() => undefined))?.isFile()) return path;
  throw new Error(`the copier (busybox) is not in this image: looked for ${paths.join(", ")}`);
}

export async function prepareArtifacts(plan: ArtifactPlan, deps: InitDeps): Promise<void> {
  await mkdir(`${deps.root}/in`, { recursive: true });
  if (needsCopier(plan)) {
    const copier = `${deps.root}/${COPIER_SUBPATH}`;
    await mkdir(`${deps.root}/bin`, { recursive: true });
    await copyFile(await firstExisting(deps.copierSources), copier);
    await chmod(copier, 0o755);
    // `main` may run as any user: it writes its archives here.
    await mkdir(`${deps.root}/out`, { recursive: true });
    await chmod(`${deps.root}/out`, 0o777);
  }
  for (const [index, input] of plan.inputs.entries()) {
    try {
      await placeInput(input, index, deps);
    } catch (err) {
      if (!input.optional) throw err;
      deps.log(`optional ${(err as Error).message}; skipped`);
    }
  }
}

export async function main(): Promise<void> {
  const log = (line: string): void => console.log(`${ARTIFACTS_INIT_COMMAND}: ${line}`);
  try {
    await createPlaceholders(process.argv.slice(3));
    const parsed = parseArtifactPlan(process.env[ARTIFACT_PLAN_ENV]);
    if (parsed.error !== undefined) throw new Error(parsed.error);
    if (parsed.plan !== undefined)
      await prepareArtifacts(parsed.plan, {
        root: ARTIFACTS_MOUNT_PATH,
        env: process.env,
        copierSources: COPIER_SOURCES,
        openStore: (repository, env) => openStore(repository, env, fullGc()),
        fetch,
        log,
      });
  } catch (err) {
    const line = terminationLine((err as Error).message);
    console.error(`${ARTIFACTS_INIT_COMMAND}: ${line}`);
    await writeFile(TERMINATION_MESSAGE_PATH, line, { flag: "r+" }).catch(() => undefined);
    process.exitCode = 1;
  }
}
