// `node bench/profile-webhook.ts [RATE] [SECONDS]`: a CPU profile of the webhook server on
// 127.0.0.1 under autocannon at RATE req/s (default 500), summarized by bench/profile-summary.ts.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAutocannon } from "./autocannon.ts";
import { startLocalWebhook } from "./local-webhook.ts";
import { renderProfile, summarizeProfile, type CpuProfile } from "./profile-summary.ts";

const rate = Number(process.argv[2] ?? 500);
const seconds = Number(process.argv[3] ?? 10);
const dir = mkdtempSync(join(tmpdir(), "onexit-webhook-prof-"));
const server = await startLocalWebhook("onexit-bench", ["--cpu-prof", "--cpu-prof-dir", dir]);
await runAutocannon({ url: server.url, bodyFile: server.bodyFile, connections: 4, seconds: 2 });
const result = await runAutocannon({
  url: server.url,
  bodyFile: server.bodyFile,
  connections: Math.max(4, Math.ceil(rate / 250)),
  seconds,
  rate,
});
await server.close();
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (file === undefined) throw new Error(`no profile in ${dir}`);
process.stdout.write(
  `${rate}/s for ${seconds} s: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms\n` +
    `profile: ${join(dir, file)}\n\n` +
    renderProfile(summarizeProfile(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile, 25)) +
    "\n",
);
