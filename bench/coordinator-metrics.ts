// The coordinators' own /metrics through the API server's pod proxy, summed over replicas.
import type { Api } from "./api.ts";

export interface CoordinatorSnapshot {
  /** onexit_k8s_requests_total summed over labels and replicas. */
  k8sRequests: number;
  handlerLatencySumMs: number;
  handlerLatencyCount: number;
  reconciles: number;
  /** Reconciles put off because the cache had not yet seen the coordinator's own writes. */
  staleReconciles: number;
  reconcileSeconds: number;
  /** onexit_k8s_requests_total by its verb label (e.g. "create_pod"). */
  requestsByVerb: Record<string, number>;
}

interface PodList {
  items: { metadata: { name: string }; status?: { phase?: string } }[];
}

/** Sum of every sample of `name` (exact metric name with any labels, or a prefix that includes a label set). */
export function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!name.includes("{") && rest[0] !== "{" && rest[0] !== " ") continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1)) || 0;
  }
  return total;
}

/** Samples of `name` summed by the value of one label. */
export function byLabel(text: string, name: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  const pattern = new RegExp(`^${name}\\{[^}]*\\b${label}="([^"]*)"[^}]*\\}\\s+(\\S+)`);
  for (const line of text.split("\n")) {
    const m = pattern.exec(line);
    if (m !== null) sums.set(m[1] as string, (sums.get(m[1] as string) ?? 0) + Number(m[2]));
  }
  return sums;
}

export async function coordinatorSnapshot(api: Api, namespace = "onexit"): Promise<CoordinatorSnapshot> {
  const pods = await api.get<PodList>(`/api/v1/namespaces/${namespace}/pods`);
  const snapshot: CoordinatorSnapshot = {
    k8sRequests: 0,
    handlerLatencySumMs: 0,
    handlerLatencyCount: 0,
    reconciles: 0,
    staleReconciles: 0,
    reconcileSeconds: 0,
    requestsByVerb: {},
  };
  for (const pod of pods.items) {
    const name = pod.metadata.name;
    if (!name.includes("coordinator") || pod.status?.phase !== "Running") continue;
    try {
      const text = await api.getText(`/api/v1/namespaces/${namespace}/pods/${name}:9090/proxy/metrics`);
      snapshot.k8sRequests += sumMetric(text, "onexit_k8s_requests_total");
      snapshot.handlerLatencySumMs += sumMetric(text, "onexit_exit_handler_start_latency_milliseconds_sum");
      snapshot.handlerLatencyCount += sumMetric(text, "onexit_exit_handler_start_latency_milliseconds_count");
      snapshot.reconciles += sumMetric(text, "onexit_reconcile_total");
      snapshot.staleReconciles += sumMetric(text, 'onexit_reconcile_total{result="stale"');
      snapshot.reconcileSeconds += sumMetric(text, "onexit_reconcile_duration_seconds_sum");
      for (const [verb, n] of byLabel(text, "onexit_k8s_requests_total", "verb"))
        snapshot.requestsByVerb[verb] = (snapshot.requestsByVerb[verb] ?? 0) + n;
    } catch {
      // a replica going away between list and scrape
    }
  }
  return snapshot;
}

export function diffSnapshots(before: CoordinatorSnapshot, after: CoordinatorSnapshot): CoordinatorSnapshot {
  return {
    k8sRequests: after.k8sRequests - before.k8sRequests,
    handlerLatencySumMs: after.handlerLatencySumMs - before.handlerLatencySumMs,
    handlerLatencyCount: after.handlerLatencyCount - before.handlerLatencyCount,
    reconciles: after.reconciles - before.reconciles,
    staleReconciles: after.staleReconciles - before.staleReconciles,
    reconcileSeconds: after.reconcileSeconds - before.reconcileSeconds,
    requestsByVerb: Object.fromEntries(
      Object.entries(after.requestsByVerb)
        .map(([verb, n]): [string, number] => [verb, n - (before.requestsByVerb[verb] ?? 0)])
        .filter(([, n]) => n > 0),
    ),
  };
}
