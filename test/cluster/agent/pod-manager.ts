// All pods this node cares about: binds unscheduled ones, runs its own, finishes deletions, serves log lookups.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import { logAttempts } from "./container-runner.ts";
import { eventSink } from "./events.ts";
import { isStatus, type KubeClient } from "./kube-client.ts";
import type { LogSource } from "./log-reader.ts";
import type { PodRunner, PodRunnerDeps } from "./pod-runner.ts";
import { kubeTime } from "./pod-status.ts";
import { lostPodStatus } from "./recovery.ts";

export interface PodManagerDeps {
  client: KubeClient;
  nodeName: string;
  stateDir: string;
  makeRunner: (pod: V1Pod, deps: Pick<PodRunnerDeps, "podDir">) => PodRunner;
}

export type LogLookup = LogSource | { status: number; message: string };

function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

export class PodManager {
  private readonly deps: PodManagerDeps;
  private readonly runners = new Map<string, PodRunner>();
  private readonly deleting = new Set<string>();
  private readonly binding = new Set<string>();
  private readonly uidByKey = new Map<string, string>();
  private shuttingDown = false;

  constructor(deps: PodManagerDeps) {
    this.deps = deps;
  }

  podDir(uid: string): string {
    return join(this.deps.stateDir, "pods", uid);
  }

  allRunners(): PodRunner[] {
    return [...this.runners.values()];
  }

  /** add/update events. */
  sync(pod: V1Pod): void {
    if (this.shuttingDown) return;
    const uid = pod.metadata?.uid ?? "";
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      if (!pod.metadata?.deletionTimestamp && !isTerminal(pod)) void this.bind(pod);
      return;
    }
    if (nodeName !== this.deps.nodeName) return;
    this.uidByKey.set(`${pod.metadata?.namespace}/${pod.metadata?.name}`, uid);
    const runner = this.runners.get(uid);
    runner?.update(pod);
    if (pod.metadata?.deletionTimestamp) {
      void this.finishDeletion(pod);
      return;
    }
    if (runner === undefined && !isTerminal(pod)) this.startPod(pod);
  }

  /** The pod is gone from the API server (deleted with grace 0 or by us). */
  remove(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (this.uidByKey.get(key) === uid) this.uidByKey.delete(key);
    const runner = this.runners.get(uid);
    if (runner === undefined) {
      if (!this.deleting.has(uid)) rmSync(this.podDir(uid), { recursive: true, force: true });
      return;
    }
    void runner.stop(0).finally(() => {
      this.runners.delete(uid);
      rmSync(this.podDir(uid), { recursive: true, force: true });
    });
  }

  /** Removes state of pods that no longer exist (after the first list). */
  collectGarbage(live: ReadonlySet<string>): void {
    const dir = join(this.deps.stateDir, "pods");
    if (!existsSync(dir)) return;
    for (const uid of readdirSync(dir)) {
      if (!live.has(uid) && !this.runners.has(uid)) rmSync(join(dir, uid), { recursive: true, force: true });
    }
  }

  logSource(namespace: string, pod: string, container: string, previous: boolean): LogLookup {
    const uid = this.uidByKey.get(`${namespace}/${pod}`);
    if (uid === undefined)
      return { status: 404, message: `pod "${pod}" in namespace "${namespace}" is not on this node` };
    const runner = this.runners.get(uid);
    const cr = runner?.containerRunner(container);
    if (runner !== undefined && cr === undefined)
      return { status: 404, message: `container "${container}" not found in pod "${pod}"` };
    const dir = join(this.podDir(uid), "logs", container);
    const attempts = logAttempts(dir);
    const index = previous ? attempts.at(-2) : attempts.at(-1);
    if (index === undefined) {
      const why = previous
        ? `previous terminated container "${container}" in pod "${pod}" not found`
        : `container "${container}" in pod "${pod}" is waiting to start`;
      const reason = cr?.status.state.kind === "waiting" ? `: ${cr.status.state.reason}` : "";
      return { status: 400, message: `${why}${previous ? "" : reason}` };
    }
    const path = join(dir, `${index}.log`);
    return { path, finished: () => !(cr?.isWriting(path) ?? false) };
  }

  /** Stops every pod (for agent shutdown); pods stay in the API server. */
  async shutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    await Promise.all([...this.runners.values()].map((r) => r.shutdown(graceMs)));
  }

  private startPod(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    const lost = lostPodStatus(pod, kubeTime(Date.now()));
    if (lost !== undefined) {
      void this.deps.client
        .request("PATCH", `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/status`, {
          body: { status: lost },
          contentType: "application/merge-patch+json",
        })
        .catch((err: unknown) => console.error(`pod ${pod.metadata?.name}: ${(err as Error).message}`));
      return;
    }
    const runner = this.deps.makeRunner(pod, { podDir: this.podDir(uid) });
    this.runners.set(uid, runner);
    runner.start();
  }

  private async bind(pod: V1Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    if (this.binding.has(uid)) return;
    this.binding.add(uid);
    const { namespace, name } = pod.metadata ?? {};
    try {
      await this.deps.client.request("POST", `/api/v1/namespaces/${namespace}/pods/${name}/binding`, {
        body: {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name, namespace, uid },
          target: { apiVersion: "v1", kind: "Node", name: this.deps.nodeName },
        },
      });
      const scheduled = `Successfully assigned ${namespace}/${name} to ${this.deps.nodeName}`;
      eventSink(
        this.deps.client,
        () => pod,
        this.deps.nodeName,
        "default-scheduler",
      )("Normal", "Scheduled", scheduled);
    } catch (err) {
      if (!isStatus(err, 409) && !isStatus(err, 404))
        console.error(`bind ${namespace}/${name}: ${(err as Error).message}`);
    } finally {
      setTimeout(() => this.binding.delete(uid), 5000);
    }
  }

  private async finishDeletion(pod: V1Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    if (this.deleting.has(uid)) return;
    this.deleting.add(uid);
    const { namespace, name } = pod.metadata ?? {};
    try {
      const graceSeconds =
        pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
      await this.runners.get(uid)?.stop(graceSeconds * 1000);
      await this.deps.client.request("DELETE", `/api/v1/namespaces/${namespace}/pods/${name}`, {
        body: { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid } },
      });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) {
        console.error(`delete ${namespace}/${name}: ${(err as Error).message}`);
        setTimeout(() => {
          this.deleting.delete(uid);
          this.sync(pod);
        }, 2000);
        return;
      }
    }
    this.runners.delete(uid);
    rmSync(this.podDir(uid), { recursive: true, force: true });
  }
}
