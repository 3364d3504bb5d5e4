// A minimal API client for the sidecar: its pod watch and main's log stream over node:https,
// through the coordinator's pod proxy (coordinator/pod-proxy.ts), which relays exactly these
// two reads for the pod the sidecar's token is bound to; the sidecar needs no RBAC of its own.
// @kubernetes/client-node is not loaded: importing it alone costs ~90 MiB of RSS, more than
// the sidecar's whole memory budget.
import type { IncomingMessage } from "node:http";
import { POD_PROXY_PREFIX } from "../common/names.ts";
import { plainHttp } from "./plain-http.ts";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { StringDecoder } from "node:string_decoder";
import type { OpenLog } from "./log-follower.ts";
import type { WatchFn } from "./pod-watcher.ts";

export interface ApiEndpoint {
  server: string;
  /** TLS and auth options for one request; in-cluster, the token file is re-read every time. */
  requestOptions: () => Promise<RequestOptions>;
}

/** A watch event line longer than this is a broken stream, not a pod. */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export interface CoordinatorEndpointOptions {
  coordinatorUrl: string;
  /** PEM; empty means the system trust store. */
  ca: string;
  /** The projected token of audience onexit-coordinator, the one reports are sent with. */
  tokenFile: string;
  readFile: (path: string) => Promise<Buffer>;
}

/** The coordinator's pod proxy as the sidecar's API server; the token is re-read for every request (the kubelet rotates it). */
export function coordinatorEndpoint(options: CoordinatorEndpointOptions): ApiEndpoint {
  return {
    server: `${options.coordinatorUrl.replace(/\/+$/, "")}${POD_PROXY_PREFIX}`,
    requestOptions: async () => {
      const token = (await options.readFile(options.tokenFile)).toString("utf8").trim();
      return { ...(options.ca ? { ca: options.ca } : {}), headers: { authorization: `Bearer ${token}` } };
    },
  };
}

async function readSome(res: IncomingMessage, limit: number): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    text += String(chunk);
    if (text.length >= limit) break;
  }
  return text.slice(0, limit);
}

/** The `message` of a metav1.Status body, or the body itself, shortened. */
export function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === "string") return status.message.slice(0, 300);
  } catch {
    // not JSON: the body is the message
  }
  return body.trim().slice(0, 300);
}

/** GET with the endpoint's credentials; resolves with the open response when the status is 200. */
async function apiGet(
  endpoint: ApiEndpoint,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const url = new URL(endpoint.server.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const base = await endpoint.requestOptions();
  const options: RequestOptions = { ...base, method: "GET", signal, agent: false };
  const send = url.protocol === "http:" ? plainHttp().request : httpsRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, options, resolve);
    req.on("error", reject);
    req.end();
  });
  if (res.statusCode !== 200) {
    const detail = statusMessage(await readSome(res, 2048));
    res.destroy();
    throw Object.assign(new Error(`GET ${url.pathname} answered ${res.statusCode}: ${detail}`), {
      statusCode: res.statusCode,
    });
  }
  return res;
}

/** Splits a stream of newline-delimited JSON into parsed values; bounded per line. */
export async function forEachJsonLine(
  stream: AsyncIterable<Buffer>,
  onValue: (value: unknown) => void,
): Promise<void> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const flush = (line: string): void => {
    if (line.trim() === "") return;
    onValue(JSON.parse(line));
  };
  for await (const chunk of stream) {
    pending += decoder.write(chunk);
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      flush(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    if (pending.length > MAX_EVENT_BYTES) throw new Error("watch event larger than 8 MiB");
  }
  flush(pending + decoder.end());
}

/** The WatchFn the pod watcher needs, on plain node:https. */
export function apiWatch(endpoint: ApiEndpoint): WatchFn {
  return async (path, query, onEvent, onDone) => {
    const controller = new AbortController();
    const run = async (): Promise<void> => {
      const res = await apiGet(endpoint, path, { ...query, watch: true }, controller.signal);
      await forEachJsonLine(res, (value) => {
        const event = value as { type?: string; object?: unknown };
        onEvent(event.type ?? "", event.object);
      });
    };
    run().then(
      () => onDone(null),
      (err: unknown) => onDone(controller.signal.aborted ? null : err),
    );
    return controller;
  };
}

/** pods/log?follow=true for one container, from the beginning. */
export function apiLogOpener(
  endpoint: ApiEndpoint,
  pod: { namespace: string; name: string },
  container: string,
): OpenLog {
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`;
  return (signal) => apiGet(endpoint, path, { container, follow: true }, signal);
}
