// The kubelet's HTTPS endpoint, as far as `kubectl logs` needs it: GET /containerLogs/{ns}/{pod}/{container}.
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseLogOptions } from "./log-format.ts";
import { streamLog } from "./log-reader.ts";
import { nowNs } from "./log-writer.ts";
import type { LogLookup } from "./pod-manager.ts";

export interface LogServerOptions {
  host: string;
  port: number;
  cert: Buffer;
  key: Buffer;
  lookup: (namespace: string, pod: string, container: string, previous: boolean) => LogLookup;
}

/** `/containerLogs/ns/pod/container` → its three parts, or undefined. */
export function parseLogPath(
  pathname: string,
): { namespace: string; pod: string; container: string } | undefined {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length !== 4 || parts[0] !== "containerLogs") return undefined;
  return { namespace: parts[1] ?? "", pod: parts[2] ?? "", container: parts[3] ?? "" };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: LogServerOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "https://kubelet");
  if (url.pathname === "/healthz") return reply(res, 200, "ok");
  const target = parseLogPath(url.pathname);
  if (req.method !== "GET" || target === undefined) return reply(res, 404, "not found");
  const options = parseLogOptions(url.searchParams, nowNs());
  if (options instanceof Error) return reply(res, 400, options.message);
  const source = opts.lookup(target.namespace, target.pod, target.container, options.previous);
  if ("status" in source) return reply(res, source.status, source.message);
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
  if (options.follow) res.flushHeaders();
  await streamLog(source, options, res, abort.signal);
  res.end();
}

export function startLogServer(opts: LogServerOptions): Promise<https.Server> {
  const server = https.createServer({ cert: opts.cert, key: opts.key }, (req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      console.error(`containerLogs ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) reply(res, 500, (err as Error).message);
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve(server));
  });
}
