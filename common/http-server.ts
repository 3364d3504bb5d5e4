// The plain-HTTP side every program serves (/metrics, /healthz, /readyz) and the one way
// its servers listen and close.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Listens (port 0 picks one) and resolves once bound; close() also drops idle keep-alive sockets. */
export function listen(
  server: Server,
  port: number,
  host: string | undefined,
  onClose = (): void => undefined,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            onClose();
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

export interface HealthServerOptions {
  registry: Registry;
  ready: () => boolean;
  /** The 503 body of /readyz: why this program is not ready yet. */
  notReady: string;
  port: number;
  host?: string;
}

/** /metrics (prom-client), /healthz (the process is up) and /readyz. */
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
      res.writeHead(ready ? 200 : 503, { "content-type": "text/plain" }).end(ready ? "ok" : options.notReady);
    } else {
      res.writeHead(404).end();
    }
  });
  return listen(server, options.port, options.host);
}
