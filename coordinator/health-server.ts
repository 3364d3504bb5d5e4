// Plain HTTP on ONEXIT_METRICS_PORT: /metrics (prom-client), /healthz (the process is up) and
// /readyz (caches synced, or not the leader: a standby serves reports without caches).
import { createServer } from "node:http";
import type { Registry } from "prom-client";
import { listen, type RunningServer } from "./report-server.ts";

export interface HealthServerOptions {
  registry: Registry;
  ready: () => boolean;
  port: number;
  host?: string;
}

export function startHealthServer(options: HealthServerOptions): Promise<RunningServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    } else if (path === "/readyz") {
      const ready = options.ready();
      res
        .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
        .end(ready ? "ok" : "caches not synced");
    } else {
      res.writeHead(404).end();
    }
  });
  return listen(server, options.port, options.host);
}
