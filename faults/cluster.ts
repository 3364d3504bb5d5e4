// The fault runner's hands in the test cluster: namespaces, workflows, pods and the onexit
// Deployments (the host processes behind them are in host-processes.ts).
import { readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { stateDir } from "../bench/processes.ts";
import { coordinatorPid } from "./host-processes.ts";
import { LABEL_ON_EXIT, LABEL_WORKFLOW } from "../common/names.ts";
import { isWorkflowDone, type Workflow } from "../coordinator/engine/index.ts";
import { RELEASE_NAMESPACE } from "../test/e2e/install-onexit.ts";
import { kubectl, kubectlJson, uniqueNamespace, waitFor } from "../test/e2e/kube.ts";
import type { PodFacts } from "./measure.ts";

export const COORDINATOR = "onexit-coordinator";
export const WEBHOOK = "onexit-webhook";

export interface NamespaceOptions {
  /** A ResourceQuota on the number of pods. */
  podQuota?: number;
}

/** A fresh namespace for one fault, set up as a user of the chart would. */
export async function faultNamespace(prefix: string, options: NamespaceOptions = {}): Promise<string> {
  const ns = await uniqueNamespace(`faults-${prefix}`);
  kubectl(["label", "namespace", ns, "onexit.dev/faults=true"]);
  if (options.podQuota !== undefined) {
    kubectl(["-n", ns, "create", "quota", "pods", `--hard=pods=${options.podQuota}`]);
  }
  return ns;
}

/** Two sequential steps (both `sh -c script`) and an exit handler. */
export function twoStepWorkflow(name: string, script: string): Record<string, unknown> {
  const container = (command: string): Record<string, unknown> => ({
    image: "alpine:3",
    command: ["sh", "-c", command],
  });
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name, labels: { "onexit.dev/faults": "true" } },
    spec: {
      entrypoint: "main",
      onExit: "handler",
      templates: [
        {
          name: "main",
          steps: [[{ name: "first", template: "step" }], [{ name: "second", template: "step" }]],
        },
        { name: "step", container: container(script) },
        { name: "handler", container: container("echo handled {{workflow.status}}") },
      ],
    },
  };
}

/** Creates `count` workflows in one request (a List); returns their names. */
export function createWorkflows(ns: string, prefix: string, count: number, script: string): string[] {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const list = { apiVersion: "v1", kind: "List", items: names.map((n) => twoStepWorkflow(n, script)) };
  kubectl(["-n", ns, "create", "-f", "-"], { input: JSON.stringify(list) });
  return names;
}

export function listWorkflows(ns: string): Workflow[] {
  return kubectlJson<{ items: Workflow[] }>(["-n", ns, "get", "workflows"]).items;
}

interface PodJson {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp: string;
  };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; containerID?: string; state?: { running?: unknown } }[];
  };
}

export function listPodsJson(ns: string): PodJson[] {
  return kubectlJson<{ items: PodJson[] }>(["-n", ns, "get", "pods"]).items;
}

export function podFacts(pods: PodJson[]): PodFacts[] {
  return pods.map((p) => ({
    name: p.metadata.name,
    labels: p.metadata.labels ?? {},
    phase: p.status?.phase ?? "",
    createdAt: p.metadata.creationTimestamp,
  }));
}

/** Waits until every named workflow is final; on timeout says which are not, and returns. */
export async function waitAllFinal(
  ns: string,
  names: string[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  try {
    await waitFor(
      () => {
        const phases = new Map(listWorkflows(ns).map((w) => [w.metadata.name, w.status?.phase]));
        return names.every((n) => isWorkflowDone(phases.get(n)));
      },
      { timeoutMs, intervalMs: 1000, description: `${names.length} workflows in ${ns} to be final` },
    );
  } catch (err) {
    const open = listWorkflows(ns).filter((w) => !isWorkflowDone(w.status?.phase));
    log(
      `${(err as Error).message}; still open: ${open
        .slice(0, 5)
        .map((w) => `${w.metadata.name} (${w.status?.phase ?? "no phase"}: ${w.status?.message ?? ""})`)
        .join(", ")}${open.length > 5 ? ", ..." : ""}`,
    );
  }
}

/** Pods of final workflows still not completed after a grace period (their pods end shortly after). */
export async function unfinishedPodCount(ns: string, graceMs = 60_000): Promise<number> {
  const open = (): number =>
    listPodsJson(ns).filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed").length;
  try {
    await waitFor(() => open() === 0, { timeoutMs: graceMs, intervalMs: 1000 });
    return 0;
  } catch {
    return open();
  }
}

/**
 * Deletes the namespace and counts what is stuck: the namespace itself still Terminating after
 * `timeoutMs`, plus the workflows in it still held by a finalizer.
 */
export async function deleteAndCountStuck(
  ns: string,
  timeoutMs = 120_000,
): Promise<{ stuck: number; detail: string }> {
  kubectl(["delete", "namespace", ns, "--wait=false"]);
  const gone = (): boolean =>
    kubectl(["get", "namespace", ns, "--ignore-not-found", "-o", "name"]).trim() === "";
  try {
    await waitFor(gone, { timeoutMs, intervalMs: 1000 });
    return { stuck: 0, detail: "" };
  } catch {
    const held = listWorkflows(ns).filter((w) => (w.metadata.finalizers ?? []).length > 0);
    return {
      stuck: 1 + held.length,
      detail: `namespace ${ns} still Terminating after ${timeoutMs / 1000}s; workflows with finalizers: ${held
        .map((w) => w.metadata.name)
        .join(", ")}`,
    };
  }
}

/** Deletes the namespace's workflows first (running ones run their handler), then the namespace. */
export async function deleteWorkflowsThenNamespace(ns: string): Promise<void> {
  kubectl(["-n", ns, "delete", "workflows", "--all", "--wait=false"]);
  await waitFor(() => listWorkflows(ns).length === 0, {
    timeoutMs: 180_000,
    intervalMs: 1000,
    description: `the workflows of ${ns} to be deleted`,
  });
  await deleteAndCountStuck(ns);
}

// ---- the onexit Deployments ----

export function scale(deployment: string, replicas: number): void {
  kubectl(["-n", RELEASE_NAMESPACE, "scale", `deployment/${deployment}`, `--replicas=${replicas}`]);
}

export async function waitScaledDown(deployment: string): Promise<void> {
  const component = deployment === COORDINATOR ? "coordinator" : "webhook";
  await waitFor(
    () =>
      kubectl([
        "-n",
        RELEASE_NAMESPACE,
        "get",
        "pods",
        "-l",
        `app.kubernetes.io/component=${component}`,
        "-o",
        "name",
      ]).trim() === "",
    { timeoutMs: 120_000, intervalMs: 1000, description: `${deployment} to have no pods` },
  );
}

export function waitRollout(deployment: string): void {
  kubectl(["-n", RELEASE_NAMESPACE, "rollout", "status", `deployment/${deployment}`, "--timeout=180s"], {
    timeoutMs: 200_000,
  });
}

/** Sum of the restart counts of onexit's own pods (a crash shows up here). */
export function onexitRestarts(): Map<string, number> {
  const pods = kubectlJson<{
    items: { metadata: { name: string }; status?: { containerStatuses?: { restartCount: number }[] } }[];
  }>(["-n", RELEASE_NAMESPACE, "get", "pods"]).items;
  return new Map(
    pods.map((p) => [
      p.metadata.name,
      (p.status?.containerStatuses ?? []).reduce((a, c) => a + c.restartCount, 0),
    ]),
  );
}

/**
 * The leader's process once a live leader renews the Lease after `sinceMs` (a killed leader's
 * Lease names it until it expires, and its restarted container is not the leader yet).
 */
export async function liveLeader(sinceMs: number): Promise<{ pod: string; pid: number }> {
  return waitFor(
    () => {
      const lease = kubectlJson<{ spec?: { holderIdentity?: string; renewTime?: string } }>([
        "-n",
        RELEASE_NAMESPACE,
        "get",
        "lease",
        COORDINATOR,
      ]);
      const pod = lease.spec?.holderIdentity ?? "";
      if (!(Date.parse(lease.spec?.renewTime ?? "") > sinceMs)) return undefined;
      const pid = coordinatorPid(pod);
      return pid === undefined ? undefined : { pod, pid };
    },
    { timeoutMs: 120_000, intervalMs: 500, description: "a coordinator to lead and renew the Lease" },
  );
}

/** The first step pod of a workflow once both its containers run (bounded). */
export async function runningStepPod(ns: string, workflow: string, timeoutMs = 90_000): Promise<PodJson> {
  return waitFor(
    () =>
      listPodsJson(ns).find(
        (p) =>
          p.metadata.labels?.[LABEL_WORKFLOW] === workflow &&
          p.metadata.labels?.[LABEL_ON_EXIT] !== "true" &&
          (p.status?.containerStatuses ?? []).length >= 2 &&
          (p.status?.containerStatuses ?? []).every((c) => c.state?.running !== undefined),
      ),
    { timeoutMs, intervalMs: 500, description: `a running step pod of ${workflow}` },
  );
}

export { sleep, stateDir };

/** Files the failpoints left (`<name>.fired`) or still armed. */
export function failpointFiles(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
