// A keyed work queue in the shape of client-go's: a key waiting is stored once (dedupe), a key
// being processed is never handed to a second worker, a key added while processing is re-queued
// when its worker calls done(), delayed adds keep the earliest deadline, and failures back off
// per key until forget(). Time and timers are injected so tests never sleep.

export interface Timers {
  now: () => number;
  /** Runs fn after ms; returns a cancel function. */
  setTimer: (ms: number, fn: () => void) => () => void;
}

export interface WorkQueueOptions extends Timers {
  /** First retry delay after a failure; doubled per consecutive failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** K: the key type (the coordinator queues WorkflowKeys). */
export interface WorkItem<K extends string = string> {
  key: K;
  /** When the queue first learned this key needed work since the last time a worker took it. */
  since: number;
}

export class WorkQueue<K extends string = string> {
  private readonly timers: Timers;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly order: K[] = [];
  /** Keys that need work (queued or re-added while processing), with their first-dirty time. */
  private readonly dirty = new Map<K, number>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; cancel: () => void }>();
  /** Keys a coalesced change will add when its timer fires (addCoalesced). */
  private readonly coalescing = new Map<K, () => void>();
  private readonly failures = new Map<K, number>();
  private readonly getters: ((item: WorkItem<K> | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.timers = { now: options.now, setTimer: options.setTimer };
    this.baseDelayMs = options.baseDelayMs ?? 20;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  /** Marks the key dirty; `since` lets a retried item keep the time its first trigger arrived. */
  add(key: K, since: number = this.timers.now()): void {
    if (this.shuttingDown) return;
    const known = this.dirty.get(key);
    if (known !== undefined) {
      if (since < known) this.dirty.set(key, since);
      return;
    }
    this.dirty.set(key, since);
    if (this.processing.has(key)) return;
    this.order.push(key);
    this.handOut();
  }

  addAfter(key: K, delayMs: number, since?: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key, since);
      return;
    }
    const at = this.timers.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending !== undefined && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.timers.setTimer(delayMs, () => {
      this.waiting.delete(key);
      this.add(key, since);
    });
    this.waiting.set(key, { at, cancel });
  }

  /**
   * A change that can wait up to `delayMs`: the key is added once when the delay ends, however many
   * such changes come meanwhile, and sooner if anything else adds it (the pass that takes it reads
   * the latest state, so the pending add is dropped then).
   */
  addCoalesced(key: K, delayMs: number, since: number = this.timers.now()): void {
    if (this.shuttingDown || this.dirty.has(key) || this.coalescing.has(key)) return;
    if (delayMs <= 0) {
      this.add(key, since);
      return;
    }
    const cancel = this.timers.setTimer(delayMs, () => {
      this.coalescing.delete(key);
      this.add(key, since);
    });
    this.coalescing.set(key, cancel);
  }

  /** Re-adds after this key's next back-off step (base · 2^failures, capped). */
  addRateLimited(key: K, since?: number): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    this.addAfter(key, delay, since);
    return delay;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  failuresOf(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resolves with the next item, or undefined once the queue is shut down. */
  get(): Promise<WorkItem<K> | undefined> {
    const item = this.take();
    if (item !== undefined || this.shuttingDown) return Promise.resolve(item);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Must be called once per item from get(); re-queues the key if it was added meanwhile. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.order.push(key);
      this.handOut();
    }
  }

  /** Keys waiting to be handed out (not counting delayed or in-process ones). */
  len(): number {
    return this.order.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const pending of this.waiting.values()) pending.cancel();
    this.waiting.clear();
    for (const cancel of this.coalescing.values()) cancel();
    this.coalescing.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  private take(): WorkItem<K> | undefined {
    const key = this.order.shift();
    if (key === undefined) return undefined;
    const since = this.dirty.get(key) ?? this.timers.now();
    this.dirty.delete(key);
    this.coalescing.get(key)?.();
    this.coalescing.delete(key);
    this.processing.add(key);
    return { key, since };
  }

  private handOut(): void {
    while (this.getters.length > 0 && this.order.length > 0) {
      const resolve = this.getters.shift();
      resolve?.(this.take());
    }
  }
}
