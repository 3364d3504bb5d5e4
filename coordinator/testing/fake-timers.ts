// A manual clock for unit tests: timers fire only when the test advances time.
import type { Timers } from "../workqueue.ts";

export interface FakeTimers extends Timers {
  advance(ms: number): void;
  pending(): number[];
  delay(ms: number, signal?: AbortSignal): Promise<void>;
}

export function fakeTimers(start = 0): FakeTimers {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const setTimer = (ms: number, fn: () => void): (() => void) => {
    const id = seq++;
    timers.set(id, { at: now + ms, fn });
    return () => {
      timers.delete(id);
    };
  };
  return {
    now: () => now,
    setTimer,
    advance(ms: number): void {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
    pending: () => [...timers.values()].map((t) => t.at - now).sort((a, b) => a - b),
    delay(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise((resolve, reject) => {
        const cancel = setTimer(ms, resolve);
        signal?.addEventListener("abort", () => {
          cancel();
          reject(signal.reason);
        });
      });
    },
  };
}
