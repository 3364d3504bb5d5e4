// Fakes shared by the sidecar's tests: a recording logger, a manual clock and a scriptable watch.
import type { V1Pod } from "@kubernetes/client-node";
import { createLogger, type Logger } from "../../common/log.ts";
import type { WatchFn } from "../pod-watcher.ts";

export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ write: (l) => lines.push(l.trimEnd()), now: () => new Date(0) }), lines };
}

/** A clock whose delay() advances time instantly and records what was asked. */
export function manualClock(): {
  nowMs: () => number;
  delay: (ms: number) => Promise<void>;
  delays: number[];
} {
  let now = 0;
  const delays: number[] = [];
  return {
    nowMs: () => now,
    delay: async (ms) => {
      delays.push(ms);
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    delays,
  };
}

export interface FakeWatch {
  watch: WatchFn;
  /** Sends an event on the current connection. */
  emit(type: string, object: unknown): void;
  /** Ends the current connection as the server or the network would. */
  end(err: unknown): void;
  connections: { path: string; query: Record<string, unknown> }[];
}

export function fakeWatch(): FakeWatch {
  let onEvent: ((type: string, object: unknown) => void) | undefined;
  let onDone: ((err: unknown) => void) | undefined;
  const connections: FakeWatch["connections"] = [];
  return {
    connections,
    watch: async (path, query, eventHandler, doneHandler) => {
      connections.push({ path, query });
      onEvent = eventHandler;
      onDone = doneHandler;
      return new AbortController();
    },
    emit: (type, object) => onEvent?.(type, object),
    end: (err) => onDone?.(err),
  };
}

export function podWithMain(
  name: string,
  state: Record<string, unknown> | undefined,
  annotations: Record<string, string> = {},
): V1Pod {
  return {
    metadata: { name, namespace: "ns", uid: "uid-1", annotations },
    spec: { containers: [{ name: "main", image: "busybox" }], terminationGracePeriodSeconds: 30 },
    status: state === undefined ? {} : { containerStatuses: [{ name: "main", state } as never] },
  };
}

export const running = { running: { startedAt: "2026-01-01T00:00:00Z" } };

export function terminated(
  exitCode: number,
  reason = exitCode === 0 ? "Completed" : "Error",
): Record<string, unknown> {
  return {
    terminated: {
      exitCode,
      reason,
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:02.500Z",
    },
  };
}

/** Lets pending promise callbacks run. */
export async function settle(times = 10): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A clock whose delays wait until the test advances time. */
export function steppedClock(): {
  nowMs: () => number;
  delay: (ms: number) => Promise<void>;
  advance: (ms: number) => Promise<void>;
  pending: () => number;
} {
  let now = 0;
  let timers: { at: number; resolve: () => void }[] = [];
  return {
    nowMs: () => now,
    delay: (ms) =>
      ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    advance: async (ms) => {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const timer of due) timer.resolve();
      await settle();
    },
    pending: () => timers.length,
  };
}

/** A log stream the test feeds by hand. */
export function logChannel(): { stream: AsyncIterable<Uint8Array>; push(text: string): void; end(): void } {
  const queue: (Uint8Array | null)[] = [];
  let wake: (() => void) | undefined;
  const stream = (async function* (): AsyncIterable<Uint8Array> {
    for (;;) {
      const next = queue.shift();
      if (next === null) return;
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  })();
  const poke = (): void => {
    wake?.();
    wake = undefined;
  };
  return {
    stream,
    push: (text) => {
      queue.push(Buffer.from(text));
      poke();
    },
    end: () => {
      queue.push(null);
      poke();
    },
  };
}
