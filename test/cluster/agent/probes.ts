// Readiness/liveness probes: httpGet against the pod IP, tcpSocket, exec inside the container's namespaces.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { V1ContainerPort, V1Probe } from "@kubernetes/client-node";
import { execTool } from "./exec.ts";

export interface ProbeTarget {
  podIP: string;
  ports: readonly V1ContainerPort[];
  /** PID of the container's process, for exec probes. */
  pid: () => number;
}

/** Resolves a number or a named container port. */
export function resolvePort(
  port: number | string | undefined,
  ports: readonly V1ContainerPort[],
): number | undefined {
  if (typeof port === "number") return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

function httpProbe(
  probe: NonNullable<V1Probe["httpGet"]>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<boolean> {
  const port = resolvePort(probe.port as number | string, target.ports);
  if (port === undefined) return Promise.resolve(false);
  const secure = probe.scheme === "HTTPS";
  const headers: Record<string, string> = { "User-Agent": "kube-probe/1.37" };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  const options = {
    host: probe.host || target.podIP,
    port,
    path: probe.path ?? "/",
    headers,
    timeout: timeoutMs,
    rejectUnauthorized: false,
  };
  return new Promise((resolve) => {
    const req = (secure ? https : http).get(options, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(false));
  });
}

function tcpProbe(
  probe: NonNullable<V1Probe["tcpSocket"]>,
  target: ProbeTarget,
  timeoutMs: number,
): Promise<boolean> {
  const port = resolvePort(probe.port as number | string, target.ports);
  if (port === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const sock = net.connect({ host: probe.host || target.podIP, port, timeout: timeoutMs });
    sock.on("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.on("timeout", () => {
      sock.destroy();
      resolve(false);
    });
    sock.on("error", () => resolve(false));
  });
}

async function execProbe(command: string[], target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const pid = target.pid();
  if (pid <= 0) return false;
  const args = [
    "--kill-after=1",
    `${Math.max(1, Math.ceil(timeoutMs / 1000))}`,
    "nsenter",
    "-t",
    String(pid),
    "-n",
    "-m",
    "-u",
    "--",
    ...command,
  ];
  const r = await execTool("timeout", args);
  return r.code === 0;
}

export function runProbe(probe: V1Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpProbe(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpProbe(probe.tcpSocket, target, timeoutMs);
  if (probe.exec?.command) return execProbe(probe.exec.command, target, timeoutMs);
  return Promise.resolve(true);
}

export interface ProbeCounter {
  ok: boolean;
  successes: number;
  failures: number;
}

/** Applies one result to the success/failure thresholds. */
export function countProbe(state: ProbeCounter, success: boolean, probe: V1Probe): ProbeCounter {
  const successes = success ? state.successes + 1 : 0;
  const failures = success ? 0 : state.failures + 1;
  let ok = state.ok;
  if (success && successes >= (probe.successThreshold ?? 1)) ok = true;
  if (!success && failures >= (probe.failureThreshold ?? 3)) ok = false;
  return { ok, successes, failures };
}

/** Runs a probe every periodSeconds (after initialDelaySeconds) until stopped or `onResult` returns false. */
function probeLoop(probe: V1Probe, target: ProbeTarget, onResult: (success: boolean) => boolean): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    const success = await runProbe(probe, target).catch(() => false);
    if (stopped || !onResult(success)) return;
    timer = setTimeout(() => void tick(), (probe.periodSeconds ?? 10) * 1000);
  };
  timer = setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Readiness/liveness: reports every change of the thresholded result. */
export function startProber(
  probe: V1Probe,
  target: ProbeTarget,
  initial: boolean,
  onChange: (ok: boolean) => void,
): () => void {
  let state: ProbeCounter = { ok: initial, successes: 0, failures: 0 };
  return probeLoop(probe, target, (success) => {
    const next = countProbe(state, success, probe);
    if (next.ok !== state.ok) onChange(next.ok);
    state = next;
    return true;
  });
}

/** Startup: `onStarted` after successThreshold successes, `onFailed` after failureThreshold failures; then it stops. */
export function startStartupProber(
  probe: V1Probe,
  target: ProbeTarget,
  outcome: { onStarted: () => void; onFailed: () => void },
): () => void {
  let state: ProbeCounter = { ok: false, successes: 0, failures: 0 };
  return probeLoop(probe, target, (success) => {
    state = countProbe(state, success, probe);
    if (state.ok) outcome.onStarted();
    else if (state.failures >= (probe.failureThreshold ?? 3)) outcome.onFailed();
    else return true;
    return false;
  });
}
