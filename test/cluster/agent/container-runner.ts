// One container's life: prepare, start, probe, exit, restart with back-off, stop.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Container } from "@kubernetes/client-node";
import { startContainerProcess, type ContainerProcess } from "./container-process.ts";
import { createLogWriter, type LogWriter } from "./log-writer.ts";
import {
  kubeTime,
  needsRestart,
  type ContainerRuntime,
  type RestartPolicy,
  type Terminated,
} from "./pod-status.ts";
import type { EventSink } from "./events.ts";
import { startProber, startStartupProber, type ProbeTarget } from "./probes.ts";

export interface PreparedContainer {
  argv: string[];
  env: Record<string, string>;
  script: string;
}

/** A failure before the process could start; `fatal` ones count as a terminated attempt. */
export class PrepareError extends Error {
  readonly reason: string;
  readonly fatal: boolean;
  constructor(reason: string, message: string, fatal = false) {
    super(message);
    this.reason = reason;
    this.fatal = fatal;
  }
}

export interface ContainerRunnerDeps {
  container: V1Container;
  init: boolean;
  restartPolicy: RestartPolicy;
  netns: () => string;
  podIP: () => string;
  logDir: string;
  idPrefix: string;
  backoff: { baseMs: number; maxMs: number };
  initialRestartCount: number;
  prepare(): Promise<PreparedContainer>;
  onChange(): void;
  event: EventSink;
}

/** Log attempt files in a container's log directory, oldest first. */
export function logAttempts(dir: string): number[] {
  try {
    return readdirSync(dir)
      .map((f) => /^(\d+)\.log$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

export function backoffDelay(restarts: number, backoff: { baseMs: number; maxMs: number }): number {
  return Math.min(backoff.baseMs * 2 ** Math.max(0, restarts), backoff.maxMs);
}

export class ContainerRunner {
  readonly status: ContainerRuntime;
  private readonly deps: ContainerRunnerDeps;
  private readonly abort = new AbortController();
  private proc: ContainerProcess | undefined;
  private writer: LogWriter | undefined;
  private writerPath = "";
  private stopProbes: Array<() => void> = [];

  constructor(deps: ContainerRunnerDeps, waitingReason: string) {
    this.deps = deps;
    const c = deps.container;
    this.status = {
      name: c.name,
      image: c.image ?? "",
      state: { kind: "waiting", reason: waitingReason },
      restartCount: deps.initialRestartCount,
      ready: false,
    };
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Whether `path` is the log file of an attempt that may still grow. */
  isWriting(path: string): boolean {
    return path === this.writerPath && this.writer !== undefined && !this.writer.closed;
  }

  /** Runs until the container needs no further restart (or the runner is stopped); returns the last exit. */
  async run(): Promise<Terminated | undefined> {
    let last: Terminated | undefined;
    for (;;) {
      if (this.stopping) return last;
      const attempt = await this.attempt();
      if (attempt === "retry") continue;
      last = attempt;
      const c = this.deps.container;
      if (this.stopping || !needsRestart(this.deps.restartPolicy, attempt.exitCode)) {
        this.setState(attempt);
        return attempt;
      }
      const delay = backoffDelay(this.status.restartCount, this.deps.backoff);
      this.status.lastState = attempt;
      this.deps.event("Warning", "BackOff", `Back-off restarting failed container ${c.name}`);
      this.setState({
        kind: "waiting",
        reason: "CrashLoopBackOff",
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name}`,
      });
      await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      if (this.stopping) {
        this.setState(attempt);
        return attempt;
      }
      this.status.restartCount++;
    }
  }

  private async attempt(): Promise<Terminated | "retry"> {
    let prepared: PreparedContainer;
    try {
      prepared = await this.deps.prepare();
    } catch (err) {
      const e =
        err instanceof PrepareError
          ? err
          : new PrepareError("CreateContainerError", String((err as Error).message ?? err));
      this.deps.event("Warning", "Failed", `Error: ${e.message}`);
      if (e.fatal) {
        const t = kubeTime(Date.now());
        return {
          kind: "terminated",
          exitCode: 128,
          reason: e.reason,
          message: e.message,
          startedAt: t,
          finishedAt: t,
        };
      }
      this.setState({ kind: "waiting", reason: e.reason, message: e.message });
      await sleep(2000, undefined, { signal: this.abort.signal }).catch(() => undefined);
      return "retry";
    }
    if (this.stopping) return "retry";
    return this.execute(prepared);
  }

  private openLog(): LogWriter {
    mkdirSync(this.deps.logDir, { recursive: true });
    const attempts = logAttempts(this.deps.logDir);
    const next = (attempts.at(-1) ?? -1) + 1;
    for (const old of attempts.slice(0, -1)) rmSync(join(this.deps.logDir, `${old}.log`), { force: true });
    this.writerPath = join(this.deps.logDir, `${next}.log`);
    this.writer = createLogWriter(this.writerPath);
    return this.writer;
  }

  private async execute(prepared: PreparedContainer): Promise<Terminated> {
    const log = this.openLog();
    const startedMs = Date.now();
    const proc = startContainerProcess({
      netns: this.deps.netns(),
      argv: prepared.argv,
      env: prepared.env,
      script: prepared.script,
      log,
    });
    this.proc = proc;
    this.status.containerID = `onexit://${this.deps.idPrefix}-${this.deps.container.name}-${this.status.restartCount}`;
    this.status.ready = false;
    delete this.status.started;
    this.setState({ kind: "running", startedAt: kubeTime(startedMs) });
    this.deps.event("Normal", "Started", `Started container ${this.deps.container.name}`);
    this.startProbes(proc);
    const exit = await proc.done;
    this.stopProbes.forEach((stop) => stop());
    this.stopProbes = [];
    await log.close();
    this.proc = undefined;
    this.status.ready = false;
    return {
      kind: "terminated",
      exitCode: exit.exitCode,
      ...(exit.signal !== undefined ? { signal: exit.signal } : {}),
      reason: exit.exitCode === 0 ? "Completed" : "Error",
      startedAt: kubeTime(startedMs),
      finishedAt: kubeTime(Date.now()),
    };
  }

  private startProbes(proc: ContainerProcess): void {
    const c = this.deps.container;
    if (this.deps.init) return;
    const target = { podIP: this.deps.podIP(), ports: c.ports ?? [], pid: () => proc.pid };
    if (c.startupProbe === undefined) {
      this.startRunningProbes(proc, target);
      return;
    }
    this.status.started = false;
    this.stopProbes.push(
      startStartupProber(c.startupProbe, target, {
        onStarted: () => {
          this.status.started = true;
          this.deps.onChange();
          this.startRunningProbes(proc, target);
        },
        onFailed: () => {
          this.deps.event(
            "Warning",
            "Unhealthy",
            `Startup probe failed for container ${c.name}; it will be restarted`,
          );
          void this.terminate(proc, 10_000);
        },
      }),
    );
  }

  private startRunningProbes(proc: ContainerProcess, target: ProbeTarget): void {
    const c = this.deps.container;
    if (c.readinessProbe) {
      this.stopProbes.push(
        startProber(c.readinessProbe, target, false, (ok) => {
          if (!ok) this.deps.event("Warning", "Unhealthy", `Readiness probe failed for container ${c.name}`);
          this.status.ready = ok;
          this.deps.onChange();
        }),
      );
    } else this.status.ready = true;
    if (c.livenessProbe) {
      this.stopProbes.push(
        startProber(c.livenessProbe, target, true, (ok) => {
          if (ok) return;
          this.deps.event(
            "Warning",
            "Unhealthy",
            `Liveness probe failed for container ${c.name}; it will be restarted`,
          );
          void this.terminate(proc, 10_000);
        }),
      );
    }
    this.deps.onChange();
  }

  private setState(state: ContainerRuntime["state"]): void {
    this.status.state = state;
    this.deps.onChange();
  }

  private async terminate(proc: ContainerProcess, graceMs: number): Promise<void> {
    proc.kill("SIGTERM");
    const killed = await Promise.race([proc.done.then(() => true), sleep(graceMs).then(() => false)]);
    if (!killed) proc.kill("SIGKILL");
    await proc.done;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.abort.abort();
    const proc = this.proc;
    if (proc === undefined) return;
    this.deps.event("Normal", "Killing", `Stopping container ${this.deps.container.name}`);
    await this.terminate(proc, graceMs);
  }
}
