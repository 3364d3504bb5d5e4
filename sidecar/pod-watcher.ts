// Follows the sidecar's own pod through a watch (field selector on its name) and keeps the
// latest version; callers wait for a condition on it. Reconnects with back-off on errors until
// the failure tracker says to give up (a permanent refusal, or failing for the whole deadline).
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import { backoffDelay, type BackoffPolicy } from "./jitter-backoff.ts";
import { SidecarFailure, type FailureTracker } from "./give-up.ts";

/** The shape of client-node's `Watch.watch`. */
export type WatchFn = (
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: (type: string, object: unknown) => void,
  onDone: (err: unknown) => void,
) => Promise<AbortController>;

export interface PodWatcherOptions {
  watch: WatchFn;
  namespace: string;
  name: string;
  logger: Logger;
  delay: (ms: number) => Promise<void>;
  random: () => number;
  policy: BackoffPolicy;
  /** Decides when reconnecting is pointless. */
  failures: FailureTracker;
  /** Server-side timeout of each watch request; the client then reconnects at once. */
  timeoutSeconds?: number;
}

export interface PodWatcher {
  latest(): V1Pod | undefined;
  /** Resolves with the first version of the pod that satisfies `predicate`, or undefined if `signal` aborts
   * first; rejects with a SidecarFailure once the watcher gave up. */
  until(predicate: (pod: V1Pod) => boolean, signal?: AbortSignal): Promise<V1Pod | undefined>;
  stop(): void;
}

interface Waiter {
  predicate: (pod: V1Pod) => boolean;
  resolve: (pod: V1Pod | undefined) => void;
  reject: (err: SidecarFailure) => void;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

export function watchOwnPod(options: PodWatcherOptions): PodWatcher {
  const { logger, name } = options;
  let latest: V1Pod | undefined;
  let stopped = false;
  let failure: SidecarFailure | undefined;
  let controller: AbortController | undefined;
  const waiters = new Set<Waiter>();

  const notify = (pod: V1Pod): void => {
    for (const waiter of waiters) {
      if (!waiter.predicate(pod)) continue;
      waiters.delete(waiter);
      waiter.resolve(pod);
    }
  };

  const onEvent = (type: string, object: unknown): void => {
    if (type === "ERROR") {
      logger.warn("pod watch error event", { error: JSON.stringify(object).slice(0, 300) });
      return;
    }
    const pod = object as V1Pod | undefined;
    if (type === "BOOKMARK" || pod?.metadata?.name !== name) return;
    latest = pod;
    options.failures.succeeded();
    notify(pod);
  };

  const connect = (): Promise<unknown> =>
    new Promise((resolve) => {
      const path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods`;
      const query = { fieldSelector: `metadata.name=${name}`, timeoutSeconds: options.timeoutSeconds ?? 25 };
      options.watch(path, query, onEvent, resolve).then((c) => {
        controller = c;
        if (stopped) c.abort();
      }, resolve);
    });

  const giveUp = (reason: string): void => {
    logger.error("giving up on the pod watch", { reason });
    failure = new SidecarFailure(reason);
    stopped = true;
    for (const waiter of waiters) waiter.reject(failure);
    waiters.clear();
  };

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stopped) {
      const err = await connect();
      if (stopped) return;
      if (err === null || err === undefined || isTimeout(err)) {
        failures = 0;
        options.failures.succeeded();
        continue;
      }
      const reason = options.failures.failed(err);
      if (reason !== undefined) return giveUp(reason);
      const wait = backoffDelay(failures++, options.policy, options.random);
      logger.warn("pod watch failed, reconnecting", { error: errorMessage(err), retryInMs: wait });
      await options.delay(wait);
    }
  };
  void run();

  return {
    latest: () => latest,
    until(predicate, signal) {
      if (latest !== undefined && predicate(latest)) return Promise.resolve(latest);
      if (failure !== undefined) return Promise.reject(failure);
      if (signal?.aborted) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { predicate, resolve, reject };
        waiters.add(waiter);
        signal?.addEventListener("abort", () => {
          if (waiters.delete(waiter)) resolve(undefined);
        });
      });
    },
    stop() {
      stopped = true;
      controller?.abort();
      for (const waiter of waiters) waiter.resolve(undefined);
      waiters.clear();
    },
  };
}
