// Runs the autocannon CLI (its own process, so the load generator never shares an event loop
// with the server or the bench) and returns the figures the report needs.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface LoadOptions {
  url: string;
  bodyFile: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; unlimited when absent. */
  rate?: number;
}

export interface LoadResult {
  targetRate: number | undefined;
  achievedRate: number;
  requests: number;
  errors: number;
  non2xx: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

const CLI = join(dirname(createRequire(import.meta.url).resolve("autocannon/package.json")), "autocannon.js");

export function runAutocannon(options: LoadOptions): Promise<LoadResult> {
  const args = [
    CLI,
    "--json",
    "-m",
    "POST",
    "-H",
    "content-type=application/json",
    "-i",
    options.bodyFile,
    "-c",
    String(options.connections),
    "-d",
    String(options.seconds),
    ...(options.rate !== undefined ? ["-R", String(options.rate)] : []),
    options.url,
  ];
  // The server's certificate is the bench's own throwaway one; only 127.0.0.1 is ever dialled.
  const env = { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: "0", NODE_NO_WARNINGS: "1" };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) {
        reject(err);
        return;
      }
      const json = JSON.parse(stdout) as AutocannonJson;
      resolve({
        targetRate: options.rate,
        achievedRate: json.requests.total / json.duration,
        requests: json.requests.total,
        errors: json.errors + json.timeouts,
        non2xx: json.non2xx,
        latencyMs: {
          p50: json.latency.p50,
          p90: json.latency.p90,
          p99: json.latency.p99,
          max: json.latency.max,
          mean: json.latency.average,
        },
      });
    });
  });
}
