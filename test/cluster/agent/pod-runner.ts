// One pod on this node: sandbox (netns, IP, hosts file), volumes, init containers, containers, status, teardown.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { prepareContainer } from "./container-prepare.ts";
import { ContainerRunner } from "./container-runner.ts";
import { eventSink, type EventSink } from "./events.ts";
import type { PodRuntimeFacts } from "./field-ref.ts";
import type { ServiceName } from "./hosts-file.ts";
import type { IpAllocator } from "./ip-allocator.ts";
import type { KubeClient } from "./kube-client.ts";
import type { NetworkConfig, PodNetwork } from "./network.ts";
import { closeSandbox, openSandbox, writeHostsFile } from "./pod-sandbox.ts";
import { buildPodStatus, kubeTime, podPhase, type PodRuntime, type RestartPolicy } from "./pod-status.ts";
import { StatusReporter } from "./status-reporter.ts";
import { PodVolumes } from "./volumes.ts";

export interface PodRunnerDeps {
  client: KubeClient;
  ipam: IpAllocator;
  network: NetworkConfig;
  nodeName: string;
  nodeIp: string;
  repo: string;
  hostPath: string;
  kubernetesService: { host: string; port: string };
  backoff: { baseMs: number; maxMs: number };
  podDir: string;
  services: () => readonly ServiceName[];
}

const VOLUME_REFRESH_MS = 30_000;

function restartCountFrom(pod: V1Pod, name: string, init: boolean): number {
  const statuses = init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses;
  const s = statuses?.find((c) => c.name === name);
  if (s === undefined) return 0;
  return s.restartCount + (s.state?.running || s.state?.terminated ? 1 : 0);
}

export class PodRunner {
  pod: V1Pod;
  readonly runtime: PodRuntime;
  private readonly deps: PodRunnerDeps;
  private readonly initRunners: ContainerRunner[];
  private readonly runners: ContainerRunner[];
  private readonly volumes: PodVolumes;
  private readonly reporter: StatusReporter;
  private readonly abort = new AbortController();
  private readonly events: EventSink;
  private net: PodNetwork | undefined;
  private volumeDirs = new Map<string, string>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private finished: Promise<void> = Promise.resolve();
  private agentShutdown = false;
  private readonly startMs = Date.now();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineExceeded = false;

  constructor(pod: V1Pod, deps: PodRunnerDeps) {
    this.pod = pod;
    this.deps = deps;
    this.events = eventSink(deps.client, () => this.pod, deps.nodeName);
    const policy = (pod.spec?.restartPolicy ?? "Always") as RestartPolicy;
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    this.initRunners = (pod.spec?.initContainers ?? []).map((c) =>
      this.makeRunner(c, true, policy === "Never" ? "Never" : "OnFailure", "PodInitializing"),
    );
    this.runners = (pod.spec?.containers ?? []).map((c) =>
      this.makeRunner(c, false, policy, hasInit ? "PodInitializing" : "ContainerCreating"),
    );
    this.runtime = {
      restartPolicy: policy,
      hostIP: deps.nodeIp,
      startTime: kubeTime(this.startMs),
      sandboxReady: false,
      init: this.initRunners.map((r) => r.status),
      containers: this.runners.map((r) => r.status),
    };
    this.volumes = new PodVolumes(deps.client, deps.podDir);
    this.reporter = new StatusReporter(
      deps.client,
      pod.metadata?.namespace ?? "default",
      pod.metadata?.name ?? "",
      (prev) => buildPodStatus(this.runtime, prev, kubeTime(Date.now())),
    );
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? "";
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  get terminal(): boolean {
    return this.runtime.finalPhase !== undefined;
  }

  facts(): PodRuntimeFacts {
    return { podIP: this.net?.ip ?? "", hostIP: this.deps.nodeIp, nodeName: this.deps.nodeName };
  }

  containerRunner(name: string): ContainerRunner | undefined {
    return [...this.initRunners, ...this.runners].find((r) => r.status.name === name);
  }

  start(): void {
    this.reporter.schedule();
    this.scheduleDeadline();
    this.finished = this.main().catch((err: unknown) => {
      console.error(`pod ${this.key()}: ${(err as Error).stack ?? String(err)}`);
      this.runtime.reason = "NodeAgentError";
      this.runtime.message = String((err as Error).message ?? err);
      return this.finish();
    });
  }

  /** Takes the newest version of the pod; downward API volumes follow metadata changes. */
  update(pod: V1Pod): void {
    const metaChanged =
      JSON.stringify([pod.metadata?.annotations, pod.metadata?.labels]) !==
      JSON.stringify([this.pod.metadata?.annotations, this.pod.metadata?.labels]);
    const deadlineChanged = pod.spec?.activeDeadlineSeconds !== this.pod.spec?.activeDeadlineSeconds;
    this.pod = pod;
    if (deadlineChanged) this.scheduleDeadline();
    if (metaChanged && this.volumeDirs.size > 0 && !this.terminal) void this.refreshVolumes();
  }

  async writeHosts(): Promise<void> {
    if (this.net === undefined) return;
    await writeHostsFile(this.hostsFile(), this.pod, this.net.ip, this.deps.services());
  }

  /** Stops every container (SIGTERM, grace, SIGKILL), reports the final status and tears the sandbox down. */
  async stop(graceMs: number): Promise<void> {
    this.abort.abort();
    await this.stopContainers(graceMs);
    await this.reporter.flush();
    this.reporter.close();
  }

  /**
   * Agent shutdown, like a node going down: the processes stop but nothing is reported and the
   * pod keeps its IP, so the next agent run starts it again (or reports it lost, see recovery.ts).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.agentShutdown = true;
    this.reporter.close();
    this.abort.abort();
    await this.stopContainers(graceMs);
  }

  private async stopContainers(graceMs: number): Promise<void> {
    await Promise.all([...this.initRunners, ...this.runners].map((r) => r.stop(graceMs)));
    await this.finished;
  }

  /** spec.activeDeadlineSeconds: past it, every container is stopped and the pod Failed. */
  private scheduleDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const seconds = this.pod.spec?.activeDeadlineSeconds;
    if (seconds === undefined || seconds === null || this.terminal || this.stopping) return;
    const delay = Math.max(0, this.startMs + seconds * 1000 - Date.now());
    this.deadlineTimer = setTimeout(() => void this.exceedDeadline(), delay);
  }

  private async exceedDeadline(): Promise<void> {
    if (this.terminal || this.stopping) return;
    this.deadlineExceeded = true;
    this.runtime.reason = "DeadlineExceeded";
    this.runtime.message = "Pod was active on the node longer than the specified deadline";
    this.abort.abort();
    await this.stopContainers((this.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000);
  }

  private key(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  private hostsFile(): string {
    return join(this.deps.podDir, "hosts");
  }

  private makeRunner(c: V1Container, init: boolean, policy: RestartPolicy, waiting: string): ContainerRunner {
    return new ContainerRunner(
      {
        container: c,
        init,
        restartPolicy: policy,
        netns: () => this.net?.netns ?? "",
        podIP: () => this.net?.ip ?? "",
        logDir: join(this.deps.podDir, "logs", c.name),
        idPrefix: this.uid,
        backoff: this.deps.backoff,
        initialRestartCount: restartCountFrom(this.pod, c.name, init),
        prepare: () =>
          prepareContainer({
            client: this.deps.client,
            pod: this.pod,
            container: c,
            facts: this.facts(),
            repo: this.deps.repo,
            hostPath: this.deps.hostPath,
            volumeDirs: this.volumeDirs,
            hostsFile: this.hostsFile(),
            stageDir: join(this.deps.podDir, "stage", init ? `init-${c.name}` : c.name),
            kubernetesService: this.deps.kubernetesService,
          }),
        onChange: () => this.reporter.schedule(),
        event: this.events,
      },
      waiting,
    );
  }

  private setWaitingMessage(message: string): void {
    for (const r of [...this.initRunners, ...this.runners]) {
      if (r.status.state.kind === "waiting") r.status.state = { ...r.status.state, message };
    }
    this.reporter.schedule();
  }

  /** Retries `step` every 2 s until it succeeds or the pod is stopped. */
  private async retry<T>(what: string, step: () => Promise<T>): Promise<T | undefined> {
    while (!this.stopping) {
      try {
        return await step();
      } catch (err) {
        this.setWaitingMessage(`${what}: ${(err as Error).message}`);
        await sleep(2000, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
    return undefined;
  }

  private async main(): Promise<void> {
    await mkdir(this.deps.podDir, { recursive: true });
    this.net = await this.retry("network", () => openSandbox(this.pod, this.deps));
    if (this.net === undefined) return this.finish();
    this.runtime.podIP = this.net.ip;
    this.runtime.sandboxReady = true;
    await this.writeHosts();
    const dirs = await this.retry("volumes", () => this.volumes.prepare(this.pod, this.facts()));
    if (dirs === undefined) return this.finish();
    this.volumeDirs = dirs;
    this.setWaitingMessage("");
    this.refreshTimer = setInterval(() => void this.refreshVolumes(), VOLUME_REFRESH_MS);
    for (const r of this.initRunners) {
      const exit = await r.run();
      if (this.stopping || exit === undefined || exit.exitCode !== 0) return this.finish();
    }
    for (const r of this.runners)
      if (r.status.state.kind === "waiting")
        r.status.state = { kind: "waiting", reason: "ContainerCreating" };
    await Promise.all(this.runners.map((r) => r.run()));
    return this.finish();
  }

  private async refreshVolumes(): Promise<void> {
    try {
      this.volumeDirs = await this.volumes.prepare(this.pod, this.facts());
    } catch (err) {
      console.error(`pod ${this.key()}: volume refresh: ${(err as Error).message}`);
    }
  }

  private async finish(): Promise<void> {
    clearInterval(this.refreshTimer);
    clearTimeout(this.deadlineTimer);
    if (this.agentShutdown) {
      return closeSandbox(this.net, this.uid, this.deps, false);
    }
    if (this.deadlineExceeded) this.runtime.finalPhase = "Failed";
    if (this.stopping) this.runtime.restartPolicy = "Never";
    const phase = podPhase(this.runtime);
    if (phase === "Succeeded" || phase === "Failed") this.runtime.finalPhase = phase;
    else if (this.stopping) this.runtime.finalPhase = "Failed";
    this.reporter.schedule();
    await closeSandbox(this.net, this.uid, this.deps, true);
  }
}
