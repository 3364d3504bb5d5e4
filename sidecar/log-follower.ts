// Streams main's log (pods/log?follow=true) into a LogTail. A stream that ends before main
// has terminated is reopened, skipping the bytes already counted, so nothing is counted twice.
// Failures while main runs are retried until the failure tracker gives up; then `done` says why.
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import type { FailureTracker } from "./give-up.ts";
import type { LogTail } from "./log-tail.ts";

/** Opens the log from its beginning; rejects on HTTP errors. */
export type OpenLog = (signal: AbortSignal) => Promise<AsyncIterable<Uint8Array>>;

export interface LogFollowerOptions {
  open: OpenLog;
  sink: LogTail;
  logger: Logger;
  delay: (ms: number) => Promise<void>;
  /** Resolves when the pod watch has seen main terminate. */
  mainTerminated: Promise<unknown>;
  /** Pause before reopening a stream that ended or failed while main still runs. */
  reopenMs: number;
  /** After main terminated, give up reopening after this many failures. */
  maxFailuresAfterExit: number;
  /** While main runs: decides when reopening is pointless. */
  failures: FailureTracker;
  /** Called after every GC_EVERY_BYTES of log; see sidecar/main.ts. */
  collectGarbage?: () => void;
}

const GC_EVERY_BYTES = 1 * 1024 * 1024;

export interface LogFollower {
  /** Resolves when the whole log has been read or following was stopped (undefined), or with the
   * reason following was given up while main still ran. */
  done: Promise<string | undefined>;
  stop(): void;
}

/** Feeds one stream into the sink, skipping the first `skip` bytes (already counted). */
async function pump(
  stream: AsyncIterable<Uint8Array>,
  sink: LogTail,
  skip: number,
  gc?: () => void,
): Promise<void> {
  let toSkip = skip;
  let sinceGc = 0;
  for await (const chunk of stream) {
    sinceGc += chunk.length;
    if (gc !== undefined && sinceGc >= GC_EVERY_BYTES) {
      sinceGc = 0;
      gc();
    }
    if (toSkip >= chunk.length) {
      toSkip -= chunk.length;
      continue;
    }
    sink.write(toSkip > 0 ? chunk.subarray(toSkip) : chunk);
    toSkip = 0;
  }
}

export function followLog(options: LogFollowerOptions): LogFollower {
  const { logger, sink } = options;
  const controller = new AbortController();
  let terminated = false;
  void options.mainTerminated.then(() => {
    terminated = true;
  });

  const endedOrWait = async (): Promise<boolean> => {
    if (terminated) return true;
    let timedOut = false;
    await Promise.race([
      options.mainTerminated,
      options.delay(options.reopenMs).then(() => (timedOut = true)),
    ]);
    return !timedOut || terminated;
  };

  const run = async (): Promise<string | undefined> => {
    let failuresAfterExit = 0;
    for (let opened = 0; !controller.signal.aborted; opened++) {
      try {
        const stream = await options.open(controller.signal);
        options.failures.succeeded();
        if (opened > 0) logger.info("log stream reopened", { skipBytes: sink.bytes });
        await pump(stream, sink, sink.bytes, options.collectGarbage);
        if (await endedOrWait()) return undefined;
      } catch (err) {
        if (controller.signal.aborted) return undefined;
        if (terminated && ++failuresAfterExit >= options.maxFailuresAfterExit) {
          logger.warn("giving up on main's log", { error: errorMessage(err), bytes: sink.bytes });
          return undefined;
        }
        const reason = terminated ? undefined : options.failures.failed(err);
        if (reason !== undefined) {
          logger.error("giving up on main's log while main runs", { reason, bytes: sink.bytes });
          return reason;
        }
        logger.warn("log stream failed, reopening", {
          error: errorMessage(err),
          retryInMs: options.reopenMs,
        });
        await options.delay(options.reopenMs);
      }
    }
    return undefined;
  };

  return {
    done: run(),
    stop: () => controller.abort(),
  };
}
