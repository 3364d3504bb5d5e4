// Small helpers for workflow end-to-end tests, all through the real kubectl.
import { kubectl, waitFor } from "./kube.ts";
import { LABEL_ON_EXIT, REPORT_AUDIENCE } from "../../common/names.ts";
import type { Workflow } from "../../coordinator/engine/index.ts";

export const E2E_NAMESPACE = "onexit-e2e";

export function createWorkflow(namespace: string, yaml: string): string {
  return kubectl(["-n", namespace, "create", "-f", "-", "-o", "jsonpath={.metadata.name}"], {
    input: yaml,
  }).trim();
}

export function getWorkflow(namespace: string, name: string): Workflow {
  return JSON.parse(kubectl(["-n", namespace, "get", "workflow", name, "-o", "json"])) as Workflow;
}

export async function waitForWorkflowDone(
  namespace: string,
  name: string,
  timeoutMs = 180_000,
): Promise<Workflow> {
  return waitFor(
    () => {
      const workflow = getWorkflow(namespace, name);
      const phase = workflow.status?.phase;
      return phase === "Succeeded" || phase === "Failed" || phase === "Error" ? workflow : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

export interface PodSummary {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  containers: string[];
  phase: string;
}

export function podsOfWorkflow(namespace: string, workflow: string): PodSummary[] {
  const list = JSON.parse(
    kubectl([
      "-n",
      namespace,
      "get",
      "pods",
      "-l",
      `workflows.argoproj.io/workflow=${workflow}`,
      "-o",
      "json",
    ]),
  ) as {
    items: {
      metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: { containers: { name: string }[] };
      status: { phase: string };
    }[];
  };
  return list.items.map((pod) => ({
    name: pod.metadata.name,
    labels: pod.metadata.labels ?? {},
    annotations: pod.metadata.annotations ?? {},
    containers: pod.spec.containers.map((c) => c.name),
    phase: pod.status.phase,
  }));
}

export function handlerPods(namespace: string, workflow: string): PodSummary[] {
  return podsOfWorkflow(namespace, workflow).filter((p) => p.labels[LABEL_ON_EXIT] === "true");
}

export function logs(namespace: string, pod: string, container?: string): string {
  return kubectl(["-n", namespace, "logs", pod, ...(container ? ["-c", container] : [])]);
}

/** Waits until every pod of the workflow has finished, so logs are complete. */
export async function waitForPodsDone(namespace: string, workflow: string): Promise<PodSummary[]> {
  return waitFor(
    () => {
      const pods = podsOfWorkflow(namespace, workflow);
      return pods.length > 0 && pods.every((p) => p.phase === "Succeeded" || p.phase === "Failed")
        ? pods
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** Once every pod of the workflow has finished: what its exit handler's pod printed. */
export async function handlerLog(namespace: string, workflow: string): Promise<string> {
  await waitForPodsDone(namespace, workflow);
  const [handler] = handlerPods(namespace, workflow);
  if (handler === undefined) throw new Error(`workflow ${workflow} has no exit-handler pod`);
  return logs(namespace, handler.name);
}

/** A workflow of one `sh -c` step and, unless `handler` is undefined, an `sh -c` exit handler. */
export function oneStepWorkflow(options: {
  prefix: string;
  step: string;
  handler?: string;
  spec?: Record<string, unknown>;
  /** Extra fields for the step's container (e.g. `resources`). */
  stepContainer?: Record<string, unknown>;
}): string {
  const container = (script: string): Record<string, unknown> => ({
    image: "alpine:3.20",
    command: ["sh", "-c"],
    args: [script],
  });
  const templates = [{ name: "main", container: { ...container(options.step), ...options.stepContainer } }];
  if (options.handler !== undefined)
    templates.push({ name: "handler", container: container(options.handler) });
  return JSON.stringify({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { generateName: `${options.prefix}-` },
    spec: {
      entrypoint: "main",
      ...(options.handler === undefined ? {} : { onExit: "handler" }),
      ...options.spec,
      templates,
    },
  });
}

/**
 * Runs `sh -c script` in a plain pod (not the coordinator's) that holds a token of the
 * coordinator's audience bound to itself at /var/run/forge/token, and returns its log once it
 * ended: the seat of a pod that tries to talk to the coordinator on its own.
 */
export async function runPodWithCoordinatorToken(options: {
  namespace: string;
  name: string;
  script: string;
  labels?: Record<string, string>;
}): Promise<string> {
  const { namespace, name } = options;
  kubectl(["-n", namespace, "apply", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "main",
            image: "alpine:3.20",
            command: ["sh", "-c", options.script],
            volumeMounts: [{ name: "forge", mountPath: "/var/run/forge" }],
          },
        ],
        volumes: [
          {
            name: "forge",
            projected: { sources: [{ serviceAccountToken: { audience: REPORT_AUDIENCE, path: "token" } }] },
          },
        ],
      },
    }),
  });
  return waitFor(
    () => {
      const phase = kubectl(["-n", namespace, "get", "pod", name, "-o", "jsonpath={.status.phase}"]);
      return phase === "Succeeded" || phase === "Failed"
        ? kubectl(["-n", namespace, "logs", name])
        : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, description: `pod ${name} to finish` },
  );
}
