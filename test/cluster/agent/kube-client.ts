// A small JSON client for the API server paths the agent uses (raw JSON in, raw JSON out).
import https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";

export class KubeError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
}

export interface KubeClient {
  readonly kubeConfig: KubeConfig;
  request<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<T>;
}

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof KubeError && err.status === status;
}

export async function createKubeClient(kubeconfigPath: string): Promise<KubeClient> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error(`no cluster server in ${kubeconfigPath}`);
  const tls: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(tls);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 32,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
  });
  const baseHeaders = (tls.headers ?? {}) as Record<string, string>;

  function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(path, server);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...baseHeaders, Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = opts.contentType ?? "application/json";
      headers["Content-Length"] = String(body.length);
    }
    return new Promise<T>((resolve, reject) => {
      const req = https.request(url, { method, agent, headers, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolve((text ? JSON.parse(text) : undefined) as T);
            return;
          }
          let message = text;
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? text;
          } catch {
            // not JSON; keep the text
          }
          reject(new KubeError(status, `${method} ${url.pathname}: ${status} ${message}`));
        });
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timeout`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  return { kubeConfig, request };
}
