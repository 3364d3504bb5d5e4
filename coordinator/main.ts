// `onexit coordinator`: the composition root. Parses the environment once, loads the kubeconfig
// (KUBECONFIG, else in-cluster), wires the runtime around the pure engine, and on SIGTERM/SIGINT
// stops the workers, releases the lease, stops the informers, closes the servers and exits 0.
import { hostname } from "node:os";
import { KubeConfig } from "@kubernetes/client-node";
import { shareConnections } from "./kube-connection-pool.ts";
import { errorMessage, stdoutLogger } from "../common/log.ts";
import { parseConfig } from "./config.ts";
import { startCoordinator } from "./coordinator.ts";
import { reconcile } from "./engine/index.ts";
import { enableFailpoints } from "./failpoints.ts";
import { createNodeKubeClient } from "./kube-client-node.ts";
import { kubeStreamOpener } from "./kube-stream.ts";
import { createMetrics } from "./metrics.ts";

function loadKubeConfig(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath !== undefined && kubeconfigPath !== "") kc.loadFromFile(kubeconfigPath);
  else kc.loadFromCluster();
  return shareConnections(kc);
}

export async function main(): Promise<void> {
  const parsed = parseConfig(process.env, hostname());
  const logger = stdoutLogger(parsed.ok ? parsed.config.logLevel : undefined).child({
    component: "coordinator",
  });
  if (!parsed.ok) {
    logger.error("invalid configuration", { error: parsed.error });
    process.exit(1);
  }
  const config = parsed.config;
  enableFailpoints(config.failpointsDir);
  let kc: KubeConfig;
  try {
    kc = loadKubeConfig(process.env.KUBECONFIG);
  } catch (err) {
    logger.error("cannot load kubeconfig", { error: errorMessage(err) });
    process.exit(1);
  }
  const metrics = createMetrics();
  const client = createNodeKubeClient(kc, metrics.recordRequest);
  let coordinator;
  try {
    coordinator = await startCoordinator(config, {
      client,
      metrics,
      reconcile,
      logger,
      openApiStream: kubeStreamOpener(kc),
    });
  } catch (err) {
    logger.error("cannot start", { error: errorMessage(err) });
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    const force = setTimeout(() => {
      logger.warn("shutdown timed out, exiting");
      process.exit(0);
    }, 20_000);
    force.unref();
    void coordinator.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error("shutdown failed", { error: errorMessage(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
