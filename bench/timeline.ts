// Per-workflow timeline on the bench's one clock, fed by the pod and workflow watches.
// Only the first sighting of each milestone counts (relists and duplicate events are ignored).

import { ANNOTATION_REPORT, LABEL_ON_EXIT, LABEL_WORKFLOW, MAIN_CONTAINER } from "../common/names.ts";

const TERMINAL = new Set(["Succeeded", "Failed", "Error"]);

export interface PodLike {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; state?: { terminated?: unknown; running?: unknown } }[];
  };
}

export interface WorkflowLike {
  metadata?: { name?: string; resourceVersion?: string };
  status?: { phase?: string };
}

export interface Milestones {
  /** Just before the create request was sent. */
  created?: number;
  stepPodSeen?: number;
  mainRunning?: number;
  mainTerminated?: number;
  /** The sidecar's report stored on the step pod (annotation onexit.dev/report). */
  reportSeen?: number;
  stepPodDone?: number;
  handlerPodSeen?: number;
  finished?: number;
  phase?: string;
}

export interface Timeline {
  markCreated(workflow: string, atMs: number): void;
  onPod(pod: PodLike, atMs: number): void;
  onWorkflow(workflow: WorkflowLike, atMs: number): void;
  get(workflow: string): Milestones | undefined;
  finishedCount(): number;
  /** Resolves when `count` tracked workflows have finished. */
  whenFinished(count: number): Promise<void>;
}

function mainState(pod: PodLike): "running" | "terminated" | undefined {
  const main = pod.status?.containerStatuses?.find((c) => c.name === MAIN_CONTAINER);
  if (main?.state?.terminated !== undefined) return "terminated";
  if (main?.state?.running !== undefined) return "running";
  return undefined;
}

export function createTimeline(): Timeline {
  const entries = new Map<string, Milestones>();
  let finished = 0;
  const waiters: { count: number; resolve: () => void }[] = [];

  const settle = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i] as { count: number; resolve: () => void };
      if (finished >= waiter.count) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  return {
    markCreated(workflow, atMs) {
      entries.set(workflow, { ...entries.get(workflow), created: atMs });
    },
    onPod(pod, atMs) {
      const workflow = pod.metadata?.labels?.[LABEL_WORKFLOW];
      const entry = workflow === undefined ? undefined : entries.get(workflow);
      if (entry === undefined) return;
      if (pod.metadata?.labels?.[LABEL_ON_EXIT] === "true") {
        entry.handlerPodSeen ??= atMs;
        return;
      }
      entry.stepPodSeen ??= atMs;
      const state = mainState(pod);
      if (state !== undefined) entry.mainRunning ??= atMs;
      if (state === "terminated") entry.mainTerminated ??= atMs;
      if (pod.metadata?.annotations?.[ANNOTATION_REPORT] !== undefined) entry.reportSeen ??= atMs;
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") entry.stepPodDone ??= atMs;
    },
    onWorkflow(workflow, atMs) {
      const name = workflow.metadata?.name;
      const entry = name === undefined ? undefined : entries.get(name);
      const phase = workflow.status?.phase;
      if (entry === undefined || phase === undefined || !TERMINAL.has(phase) || entry.finished !== undefined)
        return;
      entry.finished = atMs;
      entry.phase = phase;
      finished++;
      settle();
    },
    get: (workflow) => entries.get(workflow),
    finishedCount: () => finished,
    whenFinished(count) {
      return new Promise((resolve) => {
        waiters.push({ count, resolve });
        settle();
      });
    },
  };
}
