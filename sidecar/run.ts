// The sidecar's story, with every effect injected: wait for main, follow its log, see it
// exit, drain, read outputs, report, and stop. Never throws; when the sidecar could not do
// its job (a permanent refusal, the coordinator gone for the whole deadline, the report not
// taken) the result says why in `failure`, and the caller ends with that message and exit 1.
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import { ANNOTATION_OUTPUTS, MAIN_CONTAINER } from "../common/names.ts";
import { MAX_LOG_TAIL_BYTES } from "../common/report-limits.ts";
import type { Report } from "../common/report.ts";
import type { BackoffPolicy } from "./jitter-backoff.ts";
import type { SidecarConfig } from "./config.ts";
import { failureTracker, SidecarFailure, type GiveUpPolicy } from "./give-up.ts";
import { followLog, type LogFollower, type OpenLog } from "./log-follower.ts";
import { createLogTail } from "./log-tail.ts";
import {
  gracePeriodSeconds,
  mainStarted,
  mainState,
  mainTerminated,
  type MainTerminated,
} from "./main-container.ts";
import { parseOutputSpecs, readOutputs, type ReadPrefix } from "./outputs.ts";
import { watchOwnPod, type PodWatcher, type WatchFn } from "./pod-watcher.ts";
import { buildReport } from "./report-builder.ts";
import type { UploadOutcome } from "./artifact-upload.ts";
import { sendReport, type PostReport, type ReportOutcome } from "./reporter.ts";

export interface SidecarTiming {
  /** How long to wait for the log stream to end after main exited. */
  drainMs: number;
  reopenMs: number;
  attemptTimeoutMs: number;
  backoff: BackoffPolicy;
  /** Kept free at the end of the grace period after SIGTERM. */
  graceMarginMs: number;
  /** Permanent refusals in a row (watch or log) before giving up. */
  maxRefusals: number;
}

export const DEFAULT_TIMING: SidecarTiming = {
  drainMs: 5_000,
  reopenMs: 1_000,
  attemptTimeoutMs: 10_000,
  backoff: { baseMs: 200, capMs: 10_000 },
  graceMarginMs: 2_000,
  maxRefusals: 3,
};

export interface SidecarDeps {
  config: SidecarConfig;
  logger: Logger;
  watch: WatchFn;
  openLog: OpenLog;
  readOutput: ReadPrefix;
  post: PostReport;
  readToken: () => Promise<string>;
  now: () => Date;
  nowMs: () => number;
  delay: (ms: number) => Promise<void>;
  random: () => number;
  /** Uploads the pod's artifacts after main ended (sidecar/artifact-upload.ts); absent without a plan. */
  artifacts?: (signal: AbortSignal) => Promise<UploadOutcome>;
  /** Called every few MiB of log to free read buffers early (optional). */
  collectGarbage?: () => void;
  /** Aborted on SIGTERM. */
  shutdown: AbortSignal;
  timing: SidecarTiming;
}

export interface SidecarResult {
  report?: Report;
  outcome?: ReportOutcome;
  /** Why nothing was reported, when nothing was. */
  skipped?: string;
  /** One line: why the sidecar could not do its job (it then exits non-zero with this as its message). */
  failure?: string;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

function durationOf(main: MainTerminated): string | undefined {
  if (main.startedAt === undefined || main.finishedAt === undefined) return undefined;
  return seconds(new Date(main.finishedAt).getTime() - new Date(main.startedAt).getTime());
}

export interface Sidecar {
  run(): Promise<SidecarResult>;
  /** When the grace period (from the pod spec) runs out, on the nowMs clock; Infinity before SIGTERM. */
  graceEndMs(): number;
}

function onAbort(signal: AbortSignal): Promise<"sigterm"> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve("sigterm");
    signal.addEventListener("abort", () => resolve("sigterm"));
  });
}

/** Why a report that was not acknowledged leaves the step without its report. */
function reportFailure(outcome: ReportOutcome): string | undefined {
  if (outcome.kind === "refused") return `report refused by the coordinator (HTTP ${outcome.status})`;
  if (outcome.kind === "deadline") return `report not acknowledged after ${outcome.attempts} attempts`;
  return undefined;
}

/** Rejects with the reason once following main's log was given up while main ran. */
function logGivenUp(follower: LogFollower): Promise<never> {
  return follower.done.then((reason) =>
    reason === undefined ? new Promise<never>(() => undefined) : Promise.reject(new SidecarFailure(reason)),
  );
}

export function createSidecar(deps: SidecarDeps): Sidecar {
  const { config, logger, timing } = deps;
  const tail = createLogTail(MAX_LOG_TAIL_BYTES);
  // Retrying ends after a few permanent refusals, or after failing for the sidecar's deadline.
  const giveUp: GiveUpPolicy = {
    maxRefusals: timing.maxRefusals,
    giveUpAfterMs: config.deadlineSeconds * 1000,
  };
  const watcher: PodWatcher = watchOwnPod({
    watch: deps.watch,
    namespace: config.pod.namespace,
    name: config.pod.name,
    logger,
    delay: deps.delay,
    random: deps.random,
    policy: timing.backoff,
    failures: failureTracker("pod watch", giveUp, deps.nowMs),
  });
  let shutdownAtMs: number | undefined;
  deps.shutdown.addEventListener("abort", () => {
    shutdownAtMs = deps.nowMs();
    logger.info("SIGTERM received", { gracePeriodSeconds: gracePeriodSeconds(watcher.latest()) });
  });

  const graceEndMs = (): number => {
    if (shutdownAtMs === undefined) return Number.POSITIVE_INFINITY;
    return shutdownAtMs + gracePeriodSeconds(watcher.latest()) * 1000 - timing.graceMarginMs;
  };

  /** Main's termination; after SIGTERM, only as long as half the remaining grace period. */
  const awaitTermination = async (terminated: Promise<V1Pod | undefined>): Promise<V1Pod | undefined> => {
    const first = await Promise.race([terminated, onAbort(deps.shutdown)]);
    if (first !== "sigterm") return first;
    const waitMs = Math.max(0, (graceEndMs() - deps.nowMs()) / 2);
    return Promise.race([terminated, deps.delay(waitMs).then(() => undefined)]);
  };

  const drain = async (follower: LogFollower): Promise<void> => {
    const waitMs = Math.min(timing.drainMs, Math.max(0, graceEndMs() - deps.nowMs()));
    const drained = await Promise.race([
      follower.done.then(() => true),
      deps.delay(waitMs).then(() => false),
    ]);
    if (!drained) {
      follower.stop();
      logger.warn("log stream still open after main exited; keeping what was read", { waitedMs: waitMs });
    }
    logger.info("log captured", { bytes: tail.bytes, lines: tail.lines });
  };

  const outputsOf = async (pod: V1Pod): Promise<{ name: string; value: string }[]> => {
    const specs = parseOutputSpecs(pod.metadata?.annotations?.[ANNOTATION_OUTPUTS]);
    const read = await readOutputs(specs.specs, deps.readOutput);
    for (const warning of [...specs.warnings, ...read.warnings])
      logger.warn("output parameter skipped", { warning });
    if (specs.specs.length > 0)
      logger.info("outputs read", { count: read.outputs.length, of: specs.specs.length });
    return read.outputs;
  };

  const finish = async (pod: V1Pod, follower: LogFollower): Promise<SidecarResult> => {
    const main = mainState(pod) as MainTerminated;
    logger.info("main exited", { exitCode: main.exitCode, reason: main.reason, duration: durationOf(main) });
    await drain(follower);
    const artifacts = deps.artifacts === undefined ? undefined : await deps.artifacts(deps.shutdown);
    const report = buildReport({
      pod: config.pod,
      main,
      log: { bytes: tail.bytes, lines: tail.lines, tail: tail.text() },
      outputs: await outputsOf(pod),
      ...(artifacts === undefined ? {} : { artifacts }),
      now: deps.now(),
    });
    const deadline = deps.nowMs() + config.deadlineSeconds * 1000;
    const outcome = await sendReport(report, {
      post: deps.post,
      readToken: deps.readToken,
      logger,
      nowMs: deps.nowMs,
      delay: deps.delay,
      random: deps.random,
      policy: timing.backoff,
      deadlineMs: () => Math.min(deadline, graceEndMs()),
      attemptTimeoutMs: timing.attemptTimeoutMs,
    });
    const failure = reportFailure(outcome);
    return { report, outcome, ...(failure === undefined ? {} : { failure }) };
  };

  const story = async (): Promise<SidecarResult> => {
    logger.info("starting", {
      pod: config.pod.name,
      namespace: config.pod.namespace,
      workflow: config.workflow,
      nodeId: config.nodeId,
      coordinator: config.coordinatorUrl,
    });
    const started = await watcher.until(mainStarted, deps.shutdown);
    if (started === undefined) {
      logger.warn("stopped before main started; nothing to report");
      return { skipped: "main never started" };
    }
    logger.info("capturing logs", { container: MAIN_CONTAINER, state: mainState(started).phase });
    const terminated = watcher.until(mainTerminated);
    const follower = followLog({
      open: deps.openLog,
      sink: tail,
      logger,
      delay: deps.delay,
      // A watcher that gave up ends following too (the story fails on the watcher's reason).
      mainTerminated: terminated.catch(() => undefined),
      reopenMs: timing.reopenMs,
      maxFailuresAfterExit: 3,
      failures: failureTracker("main's log", giveUp, deps.nowMs),
      ...(deps.collectGarbage ? { collectGarbage: deps.collectGarbage } : {}),
    });
    const pod = await Promise.race([awaitTermination(terminated), logGivenUp(follower)]).catch(
      (err: unknown) => {
        follower.stop();
        throw err;
      },
    );
    if (pod === undefined) {
      follower.stop();
      logger.warn("SIGTERM while main is still running; its exit is unknown, not reporting", {
        logBytes: tail.bytes,
      });
      return { skipped: "main did not terminate within the grace period" };
    }
    return finish(pod, follower);
  };

  return {
    graceEndMs,
    async run(): Promise<SidecarResult> {
      try {
        return await story();
      } catch (err) {
        const failure = err instanceof SidecarFailure ? err.reason : `sidecar failed: ${errorMessage(err)}`;
        logger.error("sidecar cannot do its job; not reporting", { reason: failure });
        return { skipped: failure, failure };
      } finally {
        watcher.stop();
      }
    },
  };
}
