// Composition: config + injected I/O → the running HTTPS webhook and its metrics server.
import { watch, type FSWatcher } from "node:fs";
import type { readFile as ReadFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import type { WebhookConfig } from "./config.ts";
import { createCertReloader, type CertReloader, type KeyPair } from "../common/cert-reloader.ts";
import type { InjectConfig } from "./inject-config.ts";
import { createMetrics } from "./metrics.ts";
import { reviewAdmission } from "./review.ts";
import { createMetricsApp, createMutateApp } from "./server.ts";

export interface WebhookDeps {
  readFile: typeof ReadFile;
  logger: Logger;
  nowMs: () => number;
  version: string;
  /** Bind address; all interfaces when absent. */
  host?: string;
  processMetrics: boolean;
  /** Poll period for certificate changes, besides file-system events; 0 disables polling. */
  certPollMs: number;
}

export interface RunningWebhook {
  port: number;
  metricsPort: number;
  certs: CertReloader;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

export async function startWebhook(config: WebhookConfig, deps: WebhookDeps): Promise<RunningWebhook> {
  const { logger } = deps;
  const loadPair = async (): Promise<KeyPair> => ({
    cert: await deps.readFile(config.certFile),
    key: await deps.readFile(config.keyFile),
  });
  const injectConfig: InjectConfig = {
    image: config.image,
    resources: config.resources,
    securityContext: config.securityContext,
    coordinatorUrl: config.coordinatorUrl,
    coordinatorCa: await deps.readFile(config.caFile, "utf8"),
    deadlineSeconds: config.deadlineSeconds,
    version: deps.version,
  };
  let ready = false;
  const metrics = createMetrics({ processMetrics: deps.processMetrics });
  const app = createMutateApp({
    review: (request) => reviewAdmission(request, injectConfig),
    metrics,
    logger,
    nowMs: deps.nowMs,
    ready: () => ready,
  });
  const pair = await loadPair();
  const https = createHttpsServer({ cert: pair.cert, key: pair.key }, app);
  const metricsServer = createHttpServer(
    createMetricsApp({ registry: metrics.registry, ready: () => ready }),
  );
  const certs = createCertReloader(pair, {
    load: loadPair,
    apply: (next) => https.setSecureContext({ cert: next.cert, key: next.key }),
    logger,
  });
  const recheck = (): void => void certs.check();
  const watchers: FSWatcher[] = [...new Set([dirname(config.certFile), dirname(config.keyFile)])].map((dir) =>
    watch(dir, recheck).on("error", (err) =>
      logger.warn("cannot watch TLS directory", { dir, error: errorMessage(err) }),
    ),
  );
  const poll = deps.certPollMs > 0 ? setInterval(recheck, deps.certPollMs).unref() : undefined;
  const port = await listen(https, config.port, deps.host);
  const metricsPort = await listen(metricsServer, config.metricsPort, deps.host);
  ready = true;
  logger.info("webhook listening", {
    port,
    metricsPort,
    image: config.image,
    coordinator: config.coordinatorUrl,
  });
  return {
    port,
    metricsPort,
    certs,
    setReady: (value) => {
      ready = value;
    },
    close: async () => {
      ready = false;
      for (const watcher of watchers) watcher.close();
      if (poll !== undefined) clearInterval(poll);
      await Promise.all([closeServer(https), closeServer(metricsServer)]);
    },
  };
}
