// KubeClient over @kubernetes/client-node 2.x. Every call is counted by verb and HTTP code.
// Pods are V1Pods (timestamps as Date) on both list and watch, so the cache never mixes the typed
// list objects with the raw JSON that Watch delivers (watch events through pod-json.ts).
import {
  AuthenticationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from "@kubernetes/client-node";
import {
  CLUSTER_WORKFLOW_TEMPLATE_PLURAL,
  GROUP,
  VERSION,
  WORKFLOW_PLURAL,
  WORKFLOW_TEMPLATE_PLURAL,
} from "../common/names.ts";
import type { Workflow, WorkflowTemplate } from "./engine/index.ts";
import {
  isNotFound,
  statusCodeOf,
  type KubeClient,
  type ListResult,
  type ListWatchSource,
  type WatchEventType,
} from "./kube-client.ts";
import { podFromJson } from "./pod-json.ts";

export type RecordRequest = (verb: string, code: string) => void;

interface HttpInfoLike<T> {
  httpStatusCode: number;
  data: T;
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

function codeLabel(err: unknown): string {
  const code = statusCodeOf(err);
  if (code !== undefined) return String(code);
  return (err as { name?: unknown } | null)?.name === "TimeoutError" ? "timeout" : "error";
}

export function createNodeKubeClient(kc: KubeConfig, record: RecordRequest): KubeClient {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const auth = kc.makeApiClient(AuthenticationV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const watcher = new Watch(kc);

  async function call<T>(verb: string, fn: () => Promise<HttpInfoLike<T>>): Promise<T> {
    try {
      const response = await fn();
      record(verb, String(response.httpStatusCode));
      return response.data;
    } catch (err) {
      record(verb, codeLabel(err));
      throw err;
    }
  }

  function source<T>(
    path: string,
    labelSelector: string | undefined,
    list: () => Promise<HttpInfoLike<{ items: T[]; metadata?: { resourceVersion?: string } }>>,
    convert: (raw: unknown) => T,
  ): ListWatchSource<T> {
    return {
      list: async (): Promise<ListResult<T>> => {
        const data = await call("list", list);
        return { items: data.items, resourceVersion: data.metadata?.resourceVersion ?? "" };
      },
      watch: async (resourceVersion, onEvent, onDone) => {
        const params: Record<string, string | boolean> = { resourceVersion, allowWatchBookmarks: true };
        if (labelSelector !== undefined) params.labelSelector = labelSelector;
        let aborted = false;
        const controller = await watcher.watch(
          path,
          params,
          (type: string, object: unknown) =>
            onEvent(type as WatchEventType, type === "ERROR" ? (object as T) : convert(object)),
          (err: unknown) => {
            if (!aborted) record("watch", err === null || err === undefined ? "200" : codeLabel(err));
            onDone(err);
          },
        );
        return {
          abort: () => {
            aborted = true;
            controller.abort();
          },
        };
      },
    };
  }

  const nsPath = (prefix: string, namespace: string, plural: string): string =>
    namespace === "" ? `${prefix}/${plural}` : `${prefix}/namespaces/${namespace}/${plural}`;

  /** Argo's custom resources of one plural, in `namespace` or cluster-wide ("" : all, or cluster-scoped). */
  function customSource<T>(plural: string, namespace: string): ListWatchSource<T> {
    return source<T>(
      nsPath(`/apis/${GROUP}/${VERSION}`, namespace, plural),
      undefined,
      () =>
        namespace === ""
          ? custom.listClusterCustomObjectWithHttpInfo({ group: GROUP, version: VERSION, plural })
          : custom.listNamespacedCustomObjectWithHttpInfo({
              group: GROUP,
              version: VERSION,
              namespace,
              plural,
            }),
      (raw) => raw as T,
    );
  }

  return {
    workflows: (namespace) => customSource<Workflow>(WORKFLOW_PLURAL, namespace),
    workflowTemplates: (namespace) => customSource<WorkflowTemplate>(WORKFLOW_TEMPLATE_PLURAL, namespace),
    clusterWorkflowTemplates: () => customSource<WorkflowTemplate>(CLUSTER_WORKFLOW_TEMPLATE_PLURAL, ""),
    getWorkflowTemplate: async (namespace, name) => {
      try {
        const found = await call("get", () =>
          namespace === ""
            ? custom.getClusterCustomObjectWithHttpInfo({
                group: GROUP,
                version: VERSION,
                plural: CLUSTER_WORKFLOW_TEMPLATE_PLURAL,
                name,
              })
            : custom.getNamespacedCustomObjectWithHttpInfo({
                group: GROUP,
                version: VERSION,
                namespace,
                plural: WORKFLOW_TEMPLATE_PLURAL,
                name,
              }),
        );
        return found as WorkflowTemplate;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    pods: (namespace, labelSelector) =>
      source<V1Pod>(
        nsPath("/api/v1", namespace, "pods"),
        labelSelector,
        () =>
          namespace === ""
            ? core.listPodForAllNamespacesWithHttpInfo({ labelSelector })
            : core.listNamespacedPodWithHttpInfo({ namespace, labelSelector }),
        podFromJson,
      ),

    getPod: async (namespace, name) => {
      try {
        return await call("get", () => core.readNamespacedPodWithHttpInfo({ namespace, name }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    createPod: (namespace, body) =>
      call("create", () => core.createNamespacedPodWithHttpInfo({ namespace, body })),
    deletePod: async (namespace, name) => {
      await call("delete", () => core.deleteNamespacedPodWithHttpInfo({ namespace, name }));
    },
    patchPod: (namespace, name, body) =>
      call("patch", () => core.patchNamespacedPodWithHttpInfo({ namespace, name, body }, mergePatch)),
    getConfigMap: async (namespace, name) => {
      try {
        return await call("get", () => core.readNamespacedConfigMapWithHttpInfo({ namespace, name }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    createConfigMap: async (namespace, body) => {
      await call("create", () => core.createNamespacedConfigMapWithHttpInfo({ namespace, body }));
    },
    replaceConfigMap: async (namespace, body) => {
      const name = body.metadata?.name ?? "";
      await call("update", () => core.replaceNamespacedConfigMapWithHttpInfo({ namespace, name, body }));
    },
    patchWorkflow: (namespace, name, body) =>
      call("patch", () =>
        custom.patchNamespacedCustomObjectWithHttpInfo(
          { group: GROUP, version: VERSION, namespace, plural: WORKFLOW_PLURAL, name, body },
          mergePatch,
        ),
      ) as Promise<Workflow>,
    replaceWorkflow: (workflow) =>
      call("update", () =>
        custom.replaceNamespacedCustomObjectWithHttpInfo({
          group: GROUP,
          version: VERSION,
          namespace: workflow.metadata.namespace ?? "",
          plural: WORKFLOW_PLURAL,
          name: workflow.metadata.name ?? "",
          body: workflow,
        }),
      ) as Promise<Workflow>,
    createEvent: async (namespace, body) => {
      await call("create", () => core.createNamespacedEventWithHttpInfo({ namespace, body }));
    },
    reviewToken: async (token, audiences) => {
      const review = await call("create", () =>
        auth.createTokenReviewWithHttpInfo({
          body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences } },
        }),
      );
      return review.status ?? {};
    },

    getLease: async (namespace, name) => {
      try {
        return await call("get", () => coordination.readNamespacedLeaseWithHttpInfo({ namespace, name }));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    createLease: (namespace, body) =>
      call("create", () => coordination.createNamespacedLeaseWithHttpInfo({ namespace, body })),
    replaceLease: (namespace, body) =>
      call("update", () =>
        coordination.replaceNamespacedLeaseWithHttpInfo({ namespace, name: body.metadata?.name ?? "", body }),
      ),
  };
}
