// `onexit sidecar`: the composition root of the `wait` container. Reads the injected env and
// follows its pod through the coordinator's pod proxy with its report token. Exits 0 when it
// did its job (or was stopped); when it could not, it writes the reason to its termination
// message and exits 1, so `kubectl describe pod` and the workflow say why.
import { readFile, writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, stdoutLogger, type Logger } from "../common/log.ts";
import { MAIN_CONTAINER } from "../common/names.ts";
import { parseSidecarConfig, type SidecarConfig } from "./config.ts";
import { httpsPoster } from "./https-post.ts";
import { apiLogOpener, apiWatch, coordinatorEndpoint, type ApiEndpoint } from "./kube-api.ts";
import { volumeReader } from "./output-files.ts";
import { createSidecar, DEFAULT_TIMING, type Sidecar } from "./run.ts";
import { ARTIFACTS_MOUNT_PATH, parseArtifactPlan } from "../common/artifact-plan.ts";
import type { UploadOutcome } from "./artifact-upload.ts";
import type { OpenLog } from "./log-follower.ts";
import type { ArtifactStore } from "./s3-store.ts";
import { TERMINATION_MESSAGE_PATH, terminationLine } from "./termination-message.ts";

type GcFunction = (options?: { type?: "major" | "minor" }) => void;

/** With NODE_OPTIONS=--expose-gc (the webhook sets it), a scavenge every MiB of log keeps
 * dead socket buffers from piling up to V8's external-memory threshold (~64 MiB). */
function minorGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: GcFunction }).gc;
  return gc === undefined ? undefined : () => gc({ type: "minor" });
}

/** The artifact upload, when the pod has a plan; the S3 client is loaded only then. */
function artifactUploader(
  config: SidecarConfig,
  logger: Logger,
  openLog: OpenLog,
): ((signal: AbortSignal) => Promise<UploadOutcome>) | undefined {
  const parsed = parseArtifactPlan(config.artifactPlan);
  if (parsed.error !== undefined) {
    const error = parsed.error;
    return async () => ({ uploaded: [], error });
  }
  const plan = parsed.plan;
  const repository = plan?.repository;
  if (plan === undefined || repository === undefined) return undefined;
  return async (signal) => {
    const { uploadArtifacts } = await import("./artifact-upload.ts");
    const { fullGc, openStore } = await import("./s3-store.ts");
    let store: Promise<ArtifactStore> | undefined;
    return uploadArtifacts(plan, {
      root: ARTIFACTS_MOUNT_PATH,
      store: () => (store ??= openStore(repository, process.env, fullGc())),
      openLog,
      logger,
      signal,
    });
  };
}

function wire(config: SidecarConfig, logger: Logger, endpoint: ApiEndpoint, shutdown: AbortSignal): Sidecar {
  const openLog = apiLogOpener(endpoint, config.pod, MAIN_CONTAINER);
  const artifacts = artifactUploader(config, logger, openLog);
  return createSidecar({
    config,
    logger,
    watch: apiWatch(endpoint),
    openLog,
    ...(artifacts === undefined ? {} : { artifacts }),
    collectGarbage: minorGc(),
    readOutput: volumeReader(config.outputsDir),
    post: httpsPoster(config.coordinatorUrl, config.coordinatorCa || undefined),
    readToken: () => readFile(config.tokenFile, "utf8"),
    now: () => new Date(),
    nowMs: () => performance.now(),
    delay: (ms) => sleep(ms),
    random: Math.random,
    shutdown,
    timing: DEFAULT_TIMING,
  });
}

/**
 * What this process cost: its high-water mark (VmHWM) and its private memory now (RssAnon).
 * Most of the RSS is the node binary's pages, shared with every Node.js process on the node;
 * the private part is what each sidecar adds. getrusage's maxRSS is no good here: across
 * fork+exec it keeps the forking parent's RSS (a node agent or a runtime shim).
 */
async function memoryMiB(): Promise<{ peakRssMiB: number; privateMiB?: number }> {
  const status = await readFile("/proc/self/status", "utf8").catch(() => "");
  const kib = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match === null ? undefined : Number(match[1]);
  };
  const mib = (k: number): number => Math.round(k / 1024);
  const anon = kib("RssAnon");
  return {
    peakRssMiB: mib(kib("VmHWM") ?? process.resourceUsage().maxRSS),
    ...(anon === undefined ? {} : { privateMiB: mib(anon) }),
  };
}

/** Leaves the reason where the kubelet finds it, and exits 1. */
async function fail(logger: Logger, reason: string): Promise<never> {
  const line = terminationLine(reason);
  // r+: only into the file the kubelet mounted there; never create one (a runtime without it).
  await writeFile(TERMINATION_MESSAGE_PATH, line, { flag: "r+" }).catch((err: unknown) =>
    logger.warn("cannot write the termination message", {
      path: TERMINATION_MESSAGE_PATH,
      error: errorMessage(err),
    }),
  );
  process.exit(1);
}

export async function main(): Promise<void> {
  const parsed = parseSidecarConfig(process.env);
  const logger = stdoutLogger(parsed.ok ? parsed.config.logLevel : undefined);
  const shutdown = new AbortController();
  let sidecar: Sidecar | undefined;
  const onSignal = (): void => {
    if (shutdown.signal.aborted) return;
    shutdown.abort();
    if (sidecar === undefined) process.exit(0);
    // The last word: whatever is still running, leave before the kubelet's SIGKILL.
    const hardStopMs = Math.max(
      0,
      sidecar.graceEndMs() - performance.now() + DEFAULT_TIMING.graceMarginMs / 2,
    );
    setTimeout(() => {
      logger.warn("grace period ending; exiting");
      process.exit(0);
    }, hardStopMs).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  if (!parsed.ok) {
    logger.error("invalid configuration; exiting without a report", { error: parsed.error });
    return fail(logger, `invalid configuration: ${parsed.error}`);
  }
  const config = parsed.config;
  let failure: string | undefined;
  try {
    const endpoint = coordinatorEndpoint({
      coordinatorUrl: config.coordinatorUrl,
      ca: config.coordinatorCa,
      tokenFile: config.tokenFile,
      readFile: (path) => readFile(path),
    });
    sidecar = wire(config, logger, endpoint, shutdown.signal);
    const result = await sidecar.run();
    failure = result.failure;
    logger.info("done", {
      outcome: result.outcome?.kind ?? "not reported",
      reason: result.skipped ?? result.failure,
      // So `kubectl logs -c wait` shows what the sidecar cost.
      ...(await memoryMiB()),
    });
  } catch (err) {
    failure = `sidecar failed: ${errorMessage(err)}`;
    logger.error("sidecar failed; exiting without a report", { error: errorMessage(err) });
  }
  if (failure !== undefined) return fail(logger, failure);
  process.exit(0);
}
