// The informers the coordinator reconciles from: Workflows, and pods carrying the workflow
// label (indexed by their workflow's key). Every change is mapped to the key of the workflow it
// concerns and handed to `onKey`, marked urgent or not (pod-change.ts); the event of a workflow
// version this replica wrote itself is skipped (own-writes.ts). The controller never branches on
// the kind of event. Beside
// them, WorkflowTemplates and ClusterWorkflowTemplates, read when a workflow references one: a
// change to one queues nothing (a running workflow keeps the copy its status stores, as in
// Argo), and they are not waited for (workflow-templates.ts asks the API server for one the
// cache does not hold yet).
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../common/log.ts";
import { LABEL_WORKFLOW } from "../common/names.ts";
import type { Workflow, WorkflowTemplate } from "./engine/index.ts";
import { objectKey, workflowKey, type WorkflowKey } from "../common/workflow-key.ts";
import type { WorkflowCache } from "./controller.ts";
import { Informer } from "./informer.ts";
import { isUrgentPodChange } from "./pod-change.ts";
import type { KubeClient, ListWatchSource } from "./kube-client.ts";

export interface CachesOptions {
  client: Pick<KubeClient, "workflows" | "pods"> &
    Partial<Pick<KubeClient, "workflowTemplates" | "clusterWorkflowTemplates">>;
  /** "" for every namespace. */
  namespace: string;
  relistIntervalMs: number;
  now: () => number;
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  /** `urgent`: a change that may let the workflow move on; false for one that may be coalesced. */
  onKey: (key: WorkflowKey, urgent: boolean) => void;
  /** True (once) for a workflow version this replica wrote itself: its event is skipped (own-writes.ts). */
  isOwnWrite?: (key: WorkflowKey, resourceVersion: string | undefined) => boolean;
  /** After each workflow relist: a chance to queue every workflow again (a cheap level-based resync). */
  onWorkflowRelist?: () => void;
}

export interface Caches extends WorkflowCache {
  workflows: Informer<Workflow>;
  pods: Informer<V1Pod>;
  /** A WorkflowTemplate (`namespace` given) or ClusterWorkflowTemplate (`namespace` "") as cached. */
  workflowTemplate(namespace: string, name: string): WorkflowTemplate | undefined;
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
    onChange: (type, workflow) => {
      const key = objectKey(workflow);
      if (type === "update" && options.isOwnWrite?.(key, workflow.metadata.resourceVersion) === true) return;
      options.onKey(key, true);
    },
    ...(options.onWorkflowRelist === undefined ? {} : { onList: options.onWorkflowRelist }),
  });
  const pods = new Informer<V1Pod>({
    ...common,
    name: "pods",
    source: options.client.pods(options.namespace, LABEL_WORKFLOW),
    indexBy: workflowKeyOfPod,
    onChange: (type, pod, previous) => {
      const key = workflowKeyOfPod(pod);
      if (key !== undefined) options.onKey(key, isUrgentPodChange(type, pod, previous));
    },
  });
  const templateInformer = (
    name: string,
    source: ListWatchSource<WorkflowTemplate> | undefined,
  ): Informer<WorkflowTemplate> | undefined =>
    source === undefined ? undefined : new Informer({ ...common, name, source, onChange: () => undefined });
  const workflowTemplates = templateInformer(
    "workflowtemplates",
    options.client.workflowTemplates?.(options.namespace),
  );
  const clusterWorkflowTemplates = templateInformer(
    "clusterworkflowtemplates",
    options.client.clusterWorkflowTemplates?.(),
  );
  const informers = [workflows, pods, workflowTemplates, clusterWorkflowTemplates].flatMap((i) => i ?? []);
  return {
    workflows,
    pods,
    workflowTemplate: (namespace, name) =>
      namespace === "" ? clusterWorkflowTemplates?.get("", name) : workflowTemplates?.get(namespace, name),
    hasSynced: () => workflows.hasSynced() && pods.hasSynced(),
    getWorkflow: (namespace, name) => workflows.get(namespace, name),
    listWorkflows: () => workflows.list(),
    podsOf: (namespace, name) => pods.byIndex(workflowKey(namespace, name)),
    start: () => {
      for (const informer of informers) informer.start();
    },
    stop: async () => {
      await Promise.all(informers.map((informer) => informer.stop()));
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
