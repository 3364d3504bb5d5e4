// A small API-server client for the bench: JSON requests and raw text over one keep-alive
// agent, credentials from the kubeconfig (KUBECONFIG or ~/.kube/config) through client-node.
import { KubeConfig } from "@kubernetes/client-node";
import type { IncomingMessage } from "node:http";
import { Agent, request, type RequestOptions } from "node:https";

export interface Api {
  server: string;
  /** Options for one request (TLS, auth, keep-alive agent). */
  options(): Promise<RequestOptions>;
  get<T>(path: string): Promise<T>;
  getText(path: string): Promise<string>;
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** Closes the kept-alive connections. */
  close(): void;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export async function createApi(kc: KubeConfig = loadKubeConfig()): Promise<Api> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error("kubeconfig has no current cluster");
  const base: RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = cluster.server.replace(/\/+$/, "");

  const send = async (method: string, path: string, body?: unknown): Promise<string> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...(base.headers as Record<string, string> | undefined) };
    headers.accept = "application/json, */*";
    if (payload !== undefined) headers["content-type"] = "application/json";
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(server + path, { ...base, method, agent, headers }, resolve);
      req.on("error", reject);
      req.end(payload);
    });
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300)
      throw new ApiError(status, `${method} ${path}: ${status} ${text.slice(0, 300)}`);
    return text;
  };

  return {
    server,
    options: async () => ({ ...base, agent: false }),
    get: async <T>(path: string) => JSON.parse(await send("GET", path)) as T,
    getText: (path) => send("GET", path),
    post: async <T>(path: string, body: unknown) => JSON.parse(await send("POST", path, body)) as T,
    put: async <T>(path: string, body: unknown) => JSON.parse(await send("PUT", path, body)) as T,
    delete: async (path) => {
      await send("DELETE", path);
    },
    close: () => agent.destroy(),
  };
}
