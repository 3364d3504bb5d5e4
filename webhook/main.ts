// `onexit webhook`: the composition root. Reads the environment once, starts the servers,
// and stops them on SIGTERM/SIGINT.
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import packageJson from "../package.json" with { type: "json" };
import { stdoutLogger } from "../common/log.ts";
import { parseWebhookConfig } from "./config.ts";
import { startWebhook } from "./webhook.ts";

export async function main(): Promise<void> {
  const parsed = parseWebhookConfig(process.env);
  const logger = stdoutLogger(parsed.ok ? parsed.config.logLevel : undefined).child({ component: "webhook" });
  if (!parsed.ok) {
    logger.error("invalid configuration", { error: parsed.error });
    process.exitCode = 2;
    return;
  }
  const webhook = await startWebhook(parsed.config, {
    readFile,
    logger,
    nowMs: () => performance.now(),
    version: packageJson.version,
    processMetrics: true,
    certPollMs: 10_000,
  });
  const stop = (signal: string): void => {
    logger.info("shutting down", { signal });
    void webhook.close().then(() => logger.info("stopped"));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
