// The narrow Kubernetes API surface the coordinator uses. Everything above this interface is
// testable with a recording fake; kube-client-node.ts implements it with @kubernetes/client-node.
import type { CoreV1Event, V1ConfigMap, V1Lease, V1Pod, V1TokenReviewStatus } from "@kubernetes/client-node";
import type { Workflow, WorkflowTemplate } from "./engine/index.ts";

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchHandle {
  abort(): void;
}

export type WatchFn<T> = (
  resourceVersion: string,
  onEvent: (type: WatchEventType, object: T) => void,
  onDone: (err: unknown) => void,
) => Promise<WatchHandle>;

export interface ListWatchSource<T> {
  list: () => Promise<ListResult<T>>;
  watch: WatchFn<T>;
}

export type MergePatch = Record<string, unknown>;

export interface KubeClient {
  /** Workflows in `namespace`, or in all namespaces when it is "". */
  workflows(namespace: string): ListWatchSource<Workflow>;
  /** Pods carrying `labelSelector`, in `namespace` or all namespaces when it is "". */
  pods(namespace: string, labelSelector: string): ListWatchSource<V1Pod>;
  /** WorkflowTemplates in `namespace`, or in all namespaces when it is "". */
  workflowTemplates(namespace: string): ListWatchSource<WorkflowTemplate>;
  clusterWorkflowTemplates(): ListWatchSource<WorkflowTemplate>;
  /** A WorkflowTemplate (`namespace` given) or ClusterWorkflowTemplate (`namespace` ""); undefined when it does not exist. */
  getWorkflowTemplate(namespace: string, name: string): Promise<WorkflowTemplate | undefined>;

  getPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  deletePod(namespace: string, name: string): Promise<void>;
  patchPod(namespace: string, name: string, patch: MergePatch): Promise<V1Pod>;
  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  createConfigMap(namespace: string, configMap: V1ConfigMap): Promise<void>;
  /** PUT; the body's metadata.resourceVersion is the precondition. */
  replaceConfigMap(namespace: string, configMap: V1ConfigMap): Promise<void>;
  patchWorkflow(namespace: string, name: string, patch: MergePatch): Promise<Workflow>;
  /**
   * PUT of the whole Workflow, status included (the CRD has no status subresource, as Argo's, so
   * Argo's CLI can write the status too); the body's metadata.resourceVersion is the precondition.
   */
  replaceWorkflow(workflow: Workflow): Promise<Workflow>;
  createEvent(namespace: string, event: CoreV1Event): Promise<void>;
  reviewToken(token: string, audiences: string[]): Promise<V1TokenReviewStatus>;

  getLease(namespace: string, name: string): Promise<V1Lease | undefined>;
  createLease(namespace: string, lease: V1Lease): Promise<V1Lease>;
  /** PUT; the lease's metadata.resourceVersion is the precondition. */
  replaceLease(namespace: string, lease: V1Lease): Promise<V1Lease>;
}

/** The HTTP status of a failed API call (ApiException.code, or a watch error's statusCode). */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const record = err as { code?: unknown; statusCode?: unknown };
  if (typeof record.code === "number") return record.code;
  if (typeof record.statusCode === "number") return record.statusCode;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isAlreadyExists = (err: unknown): boolean => statusCodeOf(err) === 409;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;

/** A short description of an API error for logs and events: the Status message when there is one. */
export function apiErrorMessage(err: unknown): string {
  const code = statusCodeOf(err);
  const body = (err as { body?: unknown } | undefined)?.body;
  let message = err instanceof Error ? err.message : String(err);
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === "string") message = parsed.message;
    } catch {
      // not a JSON Status: keep the exception's own message
    }
  } else if (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { message?: unknown }).message === "string"
  ) {
    message = (body as { message: string }).message;
  }
  return code === undefined ? message : `${code}: ${message}`;
}
