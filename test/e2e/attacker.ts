// The attacker's tools for test/e2e/security.test.ts, all real: tokens minted by the API
// server, kubectl acting as someone else, HTTPS to the coordinator's endpoint IPs on the
// cluster network (this host is on it) trusting the chart's CA, /metrics scraped from pod IPs.
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type Agent } from "node:https";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectl, kubectlJson, type KubectlOptions } from "./kube.ts";
import { RELEASE_NAMESPACE } from "./install-onexit.ts";

const COORDINATOR = "onexit-coordinator";

export interface Reply {
  status: number;
  text: string;
  /** The body's `error` when it is a JSON error reply. */
  error?: string;
  json?: unknown;
}

export interface Endpoint {
  ip: string;
  port: number;
}

/** The ready addresses behind a Service's named port, read from its EndpointSlices. */
export function serviceEndpoints(service: string, portName: string): Endpoint[] {
  const slices = kubectlJson<{
    items: {
      ports?: { name?: string; port?: number }[];
      endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
    }[];
  }>(["-n", RELEASE_NAMESPACE, "get", "endpointslices", "-l", `kubernetes.io/service-name=${service}`]);
  return slices.items.flatMap((slice) => {
    const port = slice.ports?.find((p) => p.name === portName)?.port;
    if (port === undefined) return [];
    return (slice.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false)
      .flatMap((e) => e.addresses.map((ip) => ({ ip, port })));
  });
}

/** The CA the chart generated: the only one the coordinator's and webhook's certificates chain to. */
export function chartCa(): string {
  const data = kubectl([
    "-n",
    RELEASE_NAMESPACE,
    "get",
    "secret",
    "onexit-certs",
    "-o",
    "jsonpath={.data.ca\\.crt}",
  ]);
  return Buffer.from(data, "base64").toString("utf8");
}

export interface HttpsTarget {
  endpoint: Endpoint;
  /** The Service's DNS name, checked against the serving certificate. */
  serverName: string;
  ca: string;
  agent?: Agent;
}

export function coordinatorTarget(index = 0): HttpsTarget {
  const endpoints = serviceEndpoints(COORDINATOR, "reports");
  const endpoint = endpoints[index % endpoints.length];
  if (endpoint === undefined) throw new Error(`service ${COORDINATOR} has no ready endpoint`);
  return { endpoint, serverName: `${COORDINATOR}.${RELEASE_NAMESPACE}.svc`, ca: chartCa() };
}

export interface Call {
  method?: string;
  path: string;
  token?: string;
  /** A string is sent as is (malformed JSON included); anything else as JSON. */
  body?: unknown;
  contentType?: string;
}

function toReply(status: number, text: string): Reply {
  try {
    const json: unknown = JSON.parse(text);
    const error = (json as { error?: unknown }).error;
    return { status, text, json, error: typeof error === "string" ? error : undefined };
  } catch {
    return { status, text };
  }
}

/** One HTTPS request; the reply is read whole (a watch is cut short by its own timeout). */
export function call(target: HttpsTarget, options: Call): Promise<Reply> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) {
    headers["content-type"] = options.contentType ?? "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: target.endpoint.ip,
        port: target.endpoint.port,
        servername: target.serverName,
        ca: target.ca,
        // No pooled connection unless the caller brings its agent: between two calls the tests run
        // kubectl synchronously, and a keep-alive socket the coordinator closed while this event
        // loop was blocked would be reused before its close is seen ("socket hang up").
        agent: target.agent ?? false,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        path: options.path,
        headers,
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(toReply(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${options.path}: no answer within 60 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** `kubectl create token`: a token of a ServiceAccount, optionally for our audience and bound to a pod. */
export function mintToken(
  namespace: string,
  serviceAccount: string,
  options: { audience?: string; boundPod?: { name: string; uid: string } } = {},
): string {
  const args = ["-n", namespace, "create", "token", serviceAccount, "--duration", "1h"];
  if (options.audience) args.push("--audience", options.audience);
  if (options.boundPod) {
    args.push("--bound-object-kind", "Pod", "--bound-object-name", options.boundPod.name);
    args.push("--bound-object-uid", options.boundPod.uid);
  }
  return kubectl(args).trim();
}

/**
 * kubectl acting with only this token. `--token` on the admin kubeconfig would still present
 * the admin's client certificate, which the API server authenticates first, so the token
 * gets a kubeconfig of its own: the same server and CA, no other credential.
 */
export function kubectlAs(token: string): (args: string[], options?: KubectlOptions) => string {
  const view = kubectlJson<{
    clusters: { cluster: { server: string; "certificate-authority-data"?: string } }[];
  }>(["config", "view", "--raw", "--minify"]);
  const cluster = view.clusters[0]?.cluster;
  if (cluster === undefined) throw new Error("the current kubeconfig names no cluster");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user: { token } }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    "current-context": "c",
  };
  const file = join(mkdtempSync(join(tmpdir(), "onexit-attacker-")), "kubeconfig");
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return (args, options) => kubectl(["--kubeconfig", file, ...args], options);
}

/** Runs kubectl and returns its failure message; throws when the command succeeds. */
export function refusal(run: () => string): string {
  try {
    const out = run();
    throw new Error(`expected a refusal, got success: ${out.slice(0, 200)}`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("expected a refusal")) throw error;
    return error instanceof Error ? error.message : String(error);
  }
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { timeout: 30_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

/** Sum of one counter over every pod of a component, per value of one label. */
export async function counterByLabel(
  component: "coordinator" | "webhook",
  metric: string,
  label: string,
): Promise<Record<string, number>> {
  const pods = kubectlJson<{ items: { status: { podIP?: string } }[] }>([
    "-n",
    RELEASE_NAMESPACE,
    "get",
    "pods",
    "-l",
    `app.kubernetes.io/component=${component},app.kubernetes.io/instance=onexit`,
    "--field-selector=status.phase=Running",
  ]);
  const sums: Record<string, number> = {};
  const line = new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`);
  for (const pod of pods.items) {
    if (!pod.status.podIP) continue;
    for (const text of (await httpGet(`http://${pod.status.podIP}:9090/metrics`)).split("\n")) {
      const match = line.exec(text);
      const value = match?.[1]?.match(new RegExp(`${label}="([^"]*)"`))?.[1];
      if (match === null || value === undefined) continue;
      sums[value] = (sums[value] ?? 0) + Number(match[2]);
    }
  }
  return sums;
}

/** after - before, per label value (zeros dropped). */
export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

/** Runs `count` calls, at most `concurrency` at a time, and tallies the statuses. */
export async function flood(
  count: number,
  concurrency: number,
  callFor: (i: number) => Promise<Reply>,
): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const reply = await callFor(next++);
      statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

export interface Pod {
  metadata: {
    name: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    serviceAccountName?: string;
    containers: { name: string }[];
    volumes?: { projected?: { sources?: { serviceAccountToken?: { audience?: string } }[] } }[];
  };
  status: { phase?: string; containerStatuses?: { restartCount: number }[] };
}

export const getPod = (namespace: string, name: string): Pod =>
  kubectlJson<Pod>(["-n", namespace, "get", "pod", name]);
