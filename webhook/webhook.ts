// Composition: config + injected I/O → the running HTTPS webhook and its metrics server.
import { watch, type FSWatcher } from "node:fs";
import type { readFile as ReadFile } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import { dirname } from "node:path";
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import type { WebhookConfig } from "./config.ts";
import { createCertReloader, type CertReloader, type KeyPair } from "../common/cert-reloader.ts";
import { listen, startHealthServer } from "../common/http-server.ts";
import type { InjectConfig } from "./inject-config.ts";
import { createMetrics } from "./metrics.ts";
import { reviewAdmission } from "./review.ts";
import { createMutateApp } from "./server.ts";

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
    coordinatorUsername: config.coordinatorUsername,
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
  const mutateServer = await listen(https, config.port, deps.host);
  const metricsServer = await startHealthServer({
    registry: metrics.registry,
    ready: () => ready,
    notReady: "not ready",
    port: config.metricsPort,
    host: deps.host,
  });
  const port = mutateServer.port;
  const metricsPort = metricsServer.port;
  ready = true;
  logger.info("webhook listening", {
    port,
    metricsPort,
    image: config.image,
    coordinator: config.coordinatorUrl,
    injectsFor: config.coordinatorUsername,
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
      await Promise.all([mutateServer.close(), metricsServer.close()]);
    },
  };
}
