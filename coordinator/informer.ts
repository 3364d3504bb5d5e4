// A list-then-watch cache that never gives up: any error restarts it from a fresh list after a
// back-off (1 s doubling to 30 s), a 410 Gone re-lists at once, and a full re-list every
// `relistIntervalMs` repairs whatever a silently stalled watch may have missed. Relists diff
// against the cache and report real changes only (and deletes for objects that vanished).
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import { objectKey, workflowKey } from "../common/workflow-key.ts";
import { apiErrorMessage, statusCodeOf, type ListWatchSource } from "./kube-client.ts";

interface Meta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export type ChangeType = "add" | "update" | "delete";

export interface InformerOptions<T extends Meta> {
  name: string;
  source: ListWatchSource<T>;
  relistIntervalMs: number;
  now: () => number;
  /** Resolves after ms, rejects when the signal aborts. */
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  /** `previous`: the cached object an update replaced, or the one a delete removed. */
  onChange: (type: ChangeType, object: T, previous: T | undefined) => void;
  /** Called after every successful list (the first one means "synced"). */
  onList?: () => void;
  /** A secondary index, e.g. pods by owning workflow key. */
  indexBy?: (object: T) => string | undefined;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

type WatchOutcome = "closed" | "expired" | "relist" | "stopped";

export class Informer<T extends Meta> {
  private readonly options: InformerOptions<T>;
  private readonly objects = new Map<string, T>();
  private readonly index = new Map<string, Map<string, T>>();
  private readonly stopper = new AbortController();
  private synced = false;
  private running: Promise<void> | undefined;

  constructor(options: InformerOptions<T>) {
    this.options = options;
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(workflowKey(namespace, name));
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  byIndex(value: string): T[] {
    return [...(this.index.get(value)?.values() ?? [])];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopper.abort(new Error("informer stopped"));
    await this.running;
  }

  private async run(): Promise<void> {
    const { minBackoffMs = 1000, maxBackoffMs = 30_000, logger, name } = this.options;
    const signal = this.stopper.signal;
    let backoff = 0;
    let mustList = true;
    let resourceVersion = "";
    let listedAt = 0;
    while (!signal.aborted) {
      try {
        if (mustList) {
          resourceVersion = await this.listOnce();
          listedAt = this.options.now();
          mustList = false;
        }
        const deadline = listedAt + this.options.relistIntervalMs;
        const outcome = await this.watchOnce(resourceVersion, deadline, (rv) => (resourceVersion = rv));
        backoff = 0; // the watch ran: healthy again
        mustList = outcome === "expired" || outcome === "relist";
        if (outcome === "expired") logger.info("watch expired, relisting", { informer: name });
      } catch (err) {
        if (signal.aborted) break;
        backoff = backoff === 0 ? minBackoffMs : Math.min(backoff * 2, maxBackoffMs);
        mustList = true;
        logger.warn("informer error, restarting", {
          informer: name,
          error: apiErrorMessage(err),
          backoffMs: backoff,
        });
        await this.options.delay(backoff, signal).catch(() => undefined);
      }
    }
  }

  /** Lists, replaces the cache (reporting the differences) and returns the list's resourceVersion. */
  private async listOnce(): Promise<string> {
    const result = await this.options.source.list();
    this.replace(result.items);
    if (!this.synced) {
      this.options.logger.info("informer synced", {
        informer: this.options.name,
        objects: this.objects.size,
      });
    }
    this.synced = true;
    this.options.onList?.();
    return result.resourceVersion;
  }

  /** Runs one watch until it ends, expires, the relist deadline passes, or the informer stops. */
  private watchOnce(
    resourceVersion: string,
    deadline: number,
    setRv: (rv: string) => void,
  ): Promise<WatchOutcome> {
    return new Promise((resolve, reject) => {
      const timer = new AbortController();
      const signal = this.stopper.signal;
      let handle: { abort(): void } | undefined;
      let settled = false;
      let expired = false;
      let events = 0;
      const startedAt = this.options.now();
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        timer.abort();
        signal.removeEventListener("abort", onStop);
        handle?.abort();
        settle();
      };
      const onStop = (): void => finish(() => resolve("stopped"));
      if (signal.aborted) {
        resolve("stopped");
        return;
      }
      signal.addEventListener("abort", onStop);
      const wait = Math.max(0, deadline - this.options.now());
      this.options.delay(wait, timer.signal).then(
        () => finish(() => resolve("relist")),
        () => undefined,
      );
      const onEvent = (type: string, object: T): void => {
        if (settled) return;
        events++;
        if (type === "ERROR") {
          if (statusCodeOf(object) === 410) expired = true;
          return;
        }
        this.apply(type, object);
        const rv = object.metadata?.resourceVersion;
        if (rv !== undefined && rv !== "") setRv(rv);
      };
      const onDone = (err: unknown): void =>
        finish(() => {
          if (statusCodeOf(err) === 410 || expired) resolve("expired");
          else if (isTimeout(err)) resolve("closed");
          else if (err !== null && err !== undefined) reject(err);
          else if (events === 0 && this.options.now() - startedAt < 1000)
            reject(new Error("watch closed at once"));
          else resolve("closed");
        });
      this.options.source.watch(resourceVersion, onEvent, onDone).then(
        (h) => {
          handle = h;
          if (settled) h.abort();
        },
        (err: unknown) => finish(() => reject(err)),
      );
    });
  }

  private apply(type: string, object: T): void {
    if (type === "ADDED" || type === "MODIFIED") this.upsert(object);
    else if (type === "DELETED") this.remove(objectKey(object), object);
  }

  private upsert(object: T): void {
    const key = objectKey(object);
    const old = this.objects.get(key);
    const rv = object.metadata?.resourceVersion;
    if (old !== undefined && rv !== undefined && old.metadata?.resourceVersion === rv) return;
    if (old !== undefined) this.unindex(key, old);
    this.objects.set(key, object);
    this.reindex(key, object);
    this.notify(old === undefined ? "add" : "update", object, old);
  }

  private remove(key: string, object: T): void {
    const old = this.objects.get(key);
    if (old === undefined) return;
    this.objects.delete(key);
    this.unindex(key, old);
    this.notify("delete", object, old);
  }

  private replace(items: T[]): void {
    const fresh = new Set<string>(items.map(objectKey));
    for (const [key, old] of [...this.objects]) if (!fresh.has(key)) this.remove(key, old);
    for (const item of items) this.upsert(item);
  }

  private reindex(key: string, object: T): void {
    const value = this.options.indexBy?.(object);
    if (value === undefined) return;
    let bucket = this.index.get(value);
    if (bucket === undefined) this.index.set(value, (bucket = new Map()));
    bucket.set(key, object);
  }

  private unindex(key: string, object: T): void {
    const value = this.options.indexBy?.(object);
    if (value === undefined) return;
    const bucket = this.index.get(value);
    bucket?.delete(key);
    if (bucket?.size === 0) this.index.delete(value);
  }

  private notify(type: ChangeType, object: T, previous: T | undefined): void {
    try {
      this.options.onChange(type, object, previous);
    } catch (err) {
      this.options.logger.error("informer handler failed", {
        informer: this.options.name,
        error: errorMessage(err),
      });
    }
  }
}

function isTimeout(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "TimeoutError";
}
