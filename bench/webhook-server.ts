// Forked by webhook-bench.ts: onexit's webhook server, built as webhook/main.ts builds it, but
// bound to 127.0.0.1 on free ports. Sends {port} over IPC once listening; logs go to stdout.
// Runs tsc's output (dist/, `make build`) when there is one, as the image does.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import packageJson from "../package.json" with { type: "json" };
import { stdoutLogger } from "../common/log.ts";
import { parseWebhookConfig } from "../webhook/config.ts";
import type { startWebhook as StartWebhook } from "../webhook/webhook.ts";

type WebhookModule = { startWebhook: typeof StartWebhook };
const dist = new URL("../dist/webhook/webhook.js", import.meta.url);
const { startWebhook } = (await (existsSync(dist)
  ? import(dist.href)
  : import("../webhook/webhook.ts"))) as WebhookModule;

const parsed = parseWebhookConfig({
  ...process.env,
  ONEXIT_WEBHOOK_PORT: "1",
  ONEXIT_METRICS_PORT: "1",
  ONEXIT_SIDECAR_IMAGE: "ghcr.io/onexit/onexit:0.1.0",
  ONEXIT_COORDINATOR_URL: "https://onexit-coordinator.onexit.svc:443",
  ONEXIT_COORDINATOR_SERVICE_ACCOUNT: "onexit:onexit-coordinator",
});
if (!parsed.ok) throw new Error(parsed.error);
const logger = stdoutLogger().child({ component: "webhook" });
const webhook = await startWebhook(
  { ...parsed.config, port: 0, metricsPort: 0 },
  {
    readFile,
    logger,
    nowMs: () => performance.now(),
    version: packageJson.version,
    host: "127.0.0.1",
    processMetrics: true,
    certPollMs: 10_000,
  },
);
process.send?.({ type: "listening", port: webhook.port, metricsPort: webhook.metricsPort });
process.on("disconnect", () => void webhook.close().then(() => process.exit(0)));
