// The bench's two long-lived watches on its namespace (pods and workflows), fanned out to
// whichever timelines are attached; both stamp events with the same monotonic clock.
import type { Api } from "./api.ts";
import type { PodLike, Timeline, WorkflowLike } from "./timeline.ts";
import { watchCollection, type Watcher } from "./watch.ts";
import { WORKFLOWS_PATH } from "./workflows.ts";

export interface ClusterWatch {
  ready: Promise<void>;
  /** Delivers events to `timeline` until the returned function is called. */
  attach(timeline: Timeline): () => void;
  stop(): void;
}

export function watchNamespace(api: Api, namespace: string): ClusterWatch {
  const sinks = new Set<Timeline>();
  const watchers: Watcher[] = [
    watchCollection<PodLike>(api, `/api/v1/namespaces/${namespace}/pods`, (e) => {
      for (const sink of sinks) sink.onPod(e.object, e.atMs);
    }),
    watchCollection<WorkflowLike>(api, WORKFLOWS_PATH(namespace), (e) => {
      for (const sink of sinks) sink.onWorkflow(e.object, e.atMs);
    }),
  ];
  return {
    ready: Promise.all(watchers.map((w) => w.ready)).then(() => undefined),
    attach(timeline) {
      sinks.add(timeline);
      return () => sinks.delete(timeline);
    },
    stop: () => watchers.forEach((w) => w.stop()),
  };
}
