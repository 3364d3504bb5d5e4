// After `main` ended: uploads what the copier archived for each output (`out/<i>`, or the reason
// in `out/<i>.err`) and, with `archiveLogs`, `main`'s whole log streamed from the API again (it
// is complete once main has terminated), each streamed in parts (s3-store.ts). The result goes
// into the report: what was uploaded, and the first reason an artifact the step needed was not.
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ArtifactPlan, S3Repository } from "../common/artifact-plan.ts";
import { MAIN_LOGS_ARTIFACT, outputSubPath } from "../common/artifact-plan.ts";
import type { Logger } from "../common/log.ts";
import type { OpenLog } from "./log-follower.ts";
import type { ArtifactStore } from "./s3-store.ts";
import { storeAnswer, storeUrl } from "./s3-store.ts";

export interface UploadOutcome {
  uploaded: { name: string; key: string }[];
  error?: string;
}

export interface UploadDeps {
  /** Where `wait` sees the artifacts volume. */
  root: string;
  store: () => Promise<ArtifactStore>;
  openLog: OpenLog;
  logger: Logger;
  signal: AbortSignal;
}

type Archived = { kind: "file"; path: string; bytes: number } | { kind: "missing"; why: string };

/** What the copier left for output i: its archive, its reason, or nothing (it never ran). */
export async function archivedOutput(root: string, index: number): Promise<Archived> {
  const path = `${root}/${outputSubPath(index)}`;
  const file = await stat(path).catch(() => undefined);
  if (file?.isFile() === true) return { kind: "file", path, bytes: file.size };
  const why = await readFile(`${path}.err`, "utf8").catch(() => undefined);
  if (why !== undefined) return { kind: "missing", why: why.trim() || "not archived" };
  return { kind: "missing", why: "not archived: main's command did not run to its end" };
}

async function uploadOne(
  deps: UploadDeps,
  what: { name: string; key: string; repository: S3Repository },
  body: () => Promise<Readable>,
): Promise<string | undefined> {
  try {
    const store = await deps.store();
    await store.upload(what.key, await body(), deps.signal);
    deps.logger.info("artifact uploaded", { artifact: what.name, key: what.key });
    return undefined;
  } catch (err) {
    return `artifact ${what.name}: upload to ${storeUrl(what.repository, what.key)}: ${storeAnswer(err)}`;
  }
}

export async function uploadArtifacts(plan: ArtifactPlan, deps: UploadDeps): Promise<UploadOutcome> {
  const repository = plan.repository;
  const outcome: UploadOutcome = { uploaded: [] };
  if (repository === undefined) return outcome;
  const fail = (message: string): void => {
    outcome.error ??= message;
    deps.logger.warn("artifact not uploaded", { reason: message });
  };
  for (const [index, output] of plan.outputs.entries()) {
    const archived = await archivedOutput(deps.root, index);
    if (archived.kind === "missing") {
      if (output.optional)
        deps.logger.info("optional artifact absent", { artifact: output.name, why: archived.why });
      else fail(`output artifact ${output.name}: ${archived.why}`);
      continue;
    }
    const what = { name: output.name, key: output.key, repository };
    const error = await uploadOne(deps, what, async () => createReadStream(archived.path));
    if (error === undefined) outcome.uploaded.push({ name: output.name, key: output.key });
    else fail(`output ${error}`);
  }
  if (plan.logsKey !== undefined) {
    const what = { name: MAIN_LOGS_ARTIFACT, key: plan.logsKey, repository };
    const error = await uploadOne(deps, what, async () => Readable.from(await deps.openLog(deps.signal)));
    if (error === undefined) outcome.uploaded.push({ name: MAIN_LOGS_ARTIFACT, key: plan.logsKey });
    else fail(error);
  }
  return outcome;
}
