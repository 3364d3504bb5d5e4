// Values of the downward API's fieldRef paths, shared by env vars and downwardAPI volumes.
import type { V1Pod } from "@kubernetes/client-node";

export interface PodRuntimeFacts {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

/** Kubelet's FormatMap: sorted `key="value"` lines, Go-quoted, no trailing newline. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map?.[k] ?? "")}`)
    .join("\n");
}

const subscript = /^metadata\.(annotations|labels)\['(.*)'\]$/;

/** The value of a fieldRef path, or undefined when the path is not supported. */
export function fieldRefValue(pod: V1Pod, fieldPath: string, facts: PodRuntimeFacts): string | undefined {
  const m = subscript.exec(fieldPath);
  if (m !== null) {
    const map = m[1] === "annotations" ? pod.metadata?.annotations : pod.metadata?.labels;
    return map?.[m[2] ?? ""] ?? "";
  }
  const simple: Record<string, () => string | undefined> = {
    "metadata.name": () => pod.metadata?.name,
    "metadata.namespace": () => pod.metadata?.namespace,
    "metadata.uid": () => pod.metadata?.uid,
    "metadata.annotations": () => formatMap(pod.metadata?.annotations),
    "metadata.labels": () => formatMap(pod.metadata?.labels),
    "spec.nodeName": () => pod.spec?.nodeName ?? facts.nodeName,
    "spec.serviceAccountName": () => pod.spec?.serviceAccountName ?? "default",
    "status.podIP": () => facts.podIP,
    "status.podIPs": () => facts.podIP,
    "status.hostIP": () => facts.hostIP,
    "status.hostIPs": () => facts.hostIP,
  };
  const get = simple[fieldPath];
  return get === undefined ? undefined : (get() ?? "");
}
