// The two informers the coordinator reconciles from: Workflows, and pods carrying the workflow
// label (indexed by their workflow's key). Every change is mapped to the key of the workflow it
// concerns and handed to `onKey`; the controller never branches on the kind of event.
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../common/log.ts";
import { LABEL_WORKFLOW } from "../common/names.ts";
import type { Workflow } from "./engine/index.ts";
import { objectKey, workflowKey, type WorkflowKey } from "../common/workflow-key.ts";
import type { WorkflowCache } from "./controller.ts";
import { Informer } from "./informer.ts";
import type { KubeClient } from "./kube-client.ts";

export interface CachesOptions {
  client: Pick<KubeClient, "workflows" | "pods">;
  /** "" for every namespace. */
  namespace: string;
  relistIntervalMs: number;
  now: () => number;
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  onKey: (key: WorkflowKey) => void;
  /** After each workflow relist: a chance to queue every workflow again (a cheap level-based resync). */
  onWorkflowRelist?: () => void;
}

export interface Caches extends WorkflowCache {
  workflows: Informer<Workflow>;
  pods: Informer<V1Pod>;
  start(): void;
  stop(): Promise<void>;
}

/** The key of the workflow a pod belongs to, from its label; undefined for foreign pods. */
export function workflowKeyOfPod(pod: V1Pod): WorkflowKey | undefined {
  const workflow = pod.metadata?.labels?.[LABEL_WORKFLOW];
  if (workflow === undefined || workflow === "") return undefined;
  return workflowKey(pod.metadata?.namespace ?? "", workflow);
}

export function createCaches(options: CachesOptions): Caches {
  const common = {
    relistIntervalMs: options.relistIntervalMs,
    now: options.now,
    delay: options.delay,
    logger: options.logger,
  };
  const workflows = new Informer<Workflow>({
    ...common,
    name: "workflows",
    source: options.client.workflows(options.namespace),
    onChange: (_type, workflow) => options.onKey(objectKey(workflow)),
    ...(options.onWorkflowRelist === undefined ? {} : { onList: options.onWorkflowRelist }),
  });
  const pods = new Informer<V1Pod>({
    ...common,
    name: "pods",
    source: options.client.pods(options.namespace, LABEL_WORKFLOW),
    indexBy: workflowKeyOfPod,
    onChange: (_type, pod) => {
      const key = workflowKeyOfPod(pod);
      if (key !== undefined) options.onKey(key);
    },
  });
  return {
    workflows,
    pods,
    hasSynced: () => workflows.hasSynced() && pods.hasSynced(),
    getWorkflow: (namespace, name) => workflows.get(namespace, name),
    listWorkflows: () => workflows.list(),
    podsOf: (namespace, name) => pods.byIndex(workflowKey(namespace, name)),
    start: () => {
      workflows.start();
      pods.start();
    },
    stop: async () => {
      await Promise.all([workflows.stop(), pods.stop()]);
    },
  };
}

/** Workflow counts by phase for the onexit_workflows gauge ("" counts as Pending). */
export function countByPhase(workflows: Workflow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const workflow of workflows) {
    const phase =
      workflow.status?.phase === undefined || workflow.status.phase === ""
        ? "Pending"
        : workflow.status.phase;
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  return counts;
}
