// One watch on a collection, each event stamped with the bench's own monotonic clock the
// moment its line arrives. Lists first (ADDED events for what exists), then watches from that
// resourceVersion and resumes from the last one seen after the server closes the stream.
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import { performance } from "node:perf_hooks";
import type { Api } from "./api.ts";

export interface WatchEvent<T> {
  type: string;
  object: T;
  /** performance.now() when the event's line was complete. */
  atMs: number;
}

export interface Watcher {
  /** Resolves once the initial list has been delivered and the watch request is open. */
  ready: Promise<void>;
  stop(): void;
}

interface Listed<T> {
  metadata: { resourceVersion: string };
  items: T[];
}

interface WithVersion {
  metadata?: { resourceVersion?: string };
}

function openStream(api: Api, path: string, signal: AbortSignal): Promise<IncomingMessage> {
  return api.options().then(
    (options) =>
      new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(api.server + path, { ...options, method: "GET", signal }, (res) => {
          if (res.statusCode === 200) resolve(res);
          else {
            res.resume();
            reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          }
        });
        req.on("error", reject);
        req.end();
      }),
  );
}

export function watchCollection<T extends WithVersion>(
  api: Api,
  collectionPath: string,
  onEvent: (event: WatchEvent<T>) => void,
): Watcher {
  const controller = new AbortController();
  let version = "";
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  const consume = async (res: IncomingMessage): Promise<void> => {
    let pending = "";
    for await (const chunk of res) {
      const atMs = performance.now();
      pending += String(chunk);
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as { type: string; object: T };
        if (event.type === "ERROR") {
          version = "";
          return;
        }
        version = event.object.metadata?.resourceVersion ?? version;
        if (event.type !== "BOOKMARK") onEvent({ type: event.type, object: event.object, atMs });
      }
    }
  };

  const loop = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        if (version === "") {
          const list = await api.get<Listed<T>>(collectionPath);
          const atMs = performance.now();
          for (const item of list.items) onEvent({ type: "ADDED", object: item, atMs });
          version = list.metadata.resourceVersion;
        }
        const query = `?watch=1&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=${version}`;
        const res = await openStream(api, collectionPath + query, controller.signal);
        resolveReady();
        await consume(res);
      } catch (err) {
        if (controller.signal.aborted) return;
        process.stderr.write(`bench: watch ${collectionPath} restarting: ${String(err)}\n`);
        version = "";
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  void loop();
  return { ready, stop: () => controller.abort() };
}
