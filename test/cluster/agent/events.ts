// Kubelet-style Events on pods (what `kubectl describe pod` shows); best effort, never awaited by callers.
import { randomBytes } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";
import { isStatus, type KubeClient } from "./kube-client.ts";

export type EventType = "Normal" | "Warning";

export type EventSink = (type: EventType, reason: string, message: string) => void;

/** Pure: the core/v1 Event for a pod. */
export function podEvent(
  pod: V1Pod,
  e: { type: EventType; reason: string; message: string; component: string; host: string; now: string },
): Record<string, unknown> {
  const name = pod.metadata?.name ?? "pod";
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${name}.${randomBytes(8).toString("hex")}`, namespace: pod.metadata?.namespace },
    involvedObject: {
      apiVersion: "v1",
      kind: "Pod",
      name,
      namespace: pod.metadata?.namespace,
      uid: pod.metadata?.uid,
    },
    type: e.type,
    reason: e.reason,
    message: e.message,
    source: { component: e.component, host: e.host },
    reportingComponent: e.component,
    reportingInstance: e.host,
    firstTimestamp: e.now,
    lastTimestamp: e.now,
    count: 1,
  };
}

export function eventSink(
  client: KubeClient,
  pod: () => V1Pod,
  host: string,
  component = "kubelet",
): EventSink {
  return (type, reason, message) => {
    const p = pod();
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    client
      .request("POST", `/api/v1/namespaces/${p.metadata?.namespace}/events`, {
        body: podEvent(p, { type, reason, message, component, host, now }),
      })
      .catch((err: unknown) => {
        // A namespace being deleted refuses new events; that is not worth a log line.
        if (!isStatus(err, 403))
          console.error(`event ${reason} for ${p.metadata?.name}: ${(err as Error).message}`);
      });
  };
}
