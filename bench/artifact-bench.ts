// The sidecar's artifact transfer on its own: a fresh Node process, started as the webhook starts
// the sidecar (--jitless --expose-gc, dist/ not sources), streams a generated artifact of
// BENCH_ARTIFACT_MIB (default 1024) to a real S3 store through sidecar/s3-store.ts and reads it
// back, and reports throughput both ways and its peak RSS (VmHWM) while doing so. The store is
// the test cluster's SeaweedFS ($ONEXIT_STATE/artifact-store.env) or BENCH_S3_* variables.
// Run: npx tsc -p tsconfig.build.json && node bench/artifact-bench.ts
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ArtifactBenchResult {
  megabytes: number;
  uploadMiBps: number;
  downloadMiBps: number;
  peakRssMiB: number;
  /** The same process before it loaded the S3 client: what a pod without artifacts costs. */
  baselineRssMiB: number;
}

interface Store {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

function storeFromEnv(): Store | undefined {
  const state = process.env["ONEXIT_STATE"] || "/tmp/onexit-cluster";
  const file = join(state, "artifact-store.env");
  const fromFile: Record<string, string> = existsSync(file)
    ? Object.fromEntries(
        readFileSync(file, "utf8")
          .split("\n")
          .filter((l) => l.includes("="))
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      )
    : {};
  const get = (name: string): string | undefined => process.env[`BENCH_${name}`] ?? fromFile[name];
  const [endpoint, bucket, accessKey, secretKey] = [
    "S3_ENDPOINT",
    "S3_BUCKET",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
  ].map(get);
  if (!endpoint || !bucket || !accessKey || !secretKey) return undefined;
  return { endpoint, bucket, accessKey, secretKey };
}

/** The child: measures in the shape of the sidecar's own process. */
const CHILD = `
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { credentialEnvName } from "./dist/common/artifact-plan.js";
const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) / 1024;
const baseline = hwm();
const { openStore } = await import("./dist/sidecar/s3-store.js");
const repo = JSON.parse(process.env.BENCH_REPO);
const store = await openStore(repo, process.env, () => globalThis.gc({ type: "major" }));
const mib = Number(process.env.BENCH_MIB);
const chunk = Buffer.alloc(64 * 1024, 7);
async function* generate() { for (let i = 0; i < mib * 16; i++) yield chunk; }
const key = "bench/artifact-" + process.pid;
let t = performance.now();
await store.upload(key, Readable.from(generate()));
const upload = (performance.now() - t) / 1000;
t = performance.now();
let bytes = 0;
for await (const part of await store.download(key)) bytes += part.length;
const download = (performance.now() - t) / 1000;
if (bytes !== mib * 1024 * 1024) throw new Error("read back " + bytes + " bytes");
console.log(JSON.stringify({ megabytes: mib, uploadMiBps: mib / upload, downloadMiBps: mib / download, peakRssMiB: hwm(), baselineRssMiB: baseline }));
`;

export function benchArtifacts(megabytes = 1024, store = storeFromEnv()): ArtifactBenchResult | undefined {
  if (store === undefined) return undefined;
  const secret = { name: "bench", key: "access" };
  const secretKey = { name: "bench", key: "secret" };
  const repo = {
    endpoint: store.endpoint,
    bucket: store.bucket,
    insecure: true,
    region: "us-east-1",
    keyPrefix: "",
    accessKeySecret: secret,
    secretKeySecret: secretKey,
  };
  // The credentials' env names, as the webhook sets them (common/artifact-plan.ts).
  const names = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { credentialEnvName as c } from "./dist/common/artifact-plan.js"; console.log(c(${JSON.stringify(secret)}), c(${JSON.stringify(secretKey)}));`,
    ],
    { encoding: "utf8" },
  )
    .stdout.trim()
    .split(" ");
  const child = spawnSync(
    process.execPath,
    ["--jitless", "--expose-gc", "--input-type=module", "-e", CHILD],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        BENCH_REPO: JSON.stringify(repo),
        BENCH_MIB: String(megabytes),
        [names[0] ?? ""]: store.accessKey,
        [names[1] ?? ""]: store.secretKey,
      },
    },
  );
  if (child.status !== 0) throw new Error(`artifact bench failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ArtifactBenchResult;
}

/** One line for bench/README.md and the results. */
export function artifactLine(result: ArtifactBenchResult): string {
  return (
    `artifact ${result.megabytes} MiB: upload ${result.uploadMiBps.toFixed(0)} MiB/s, ` +
    `download ${result.downloadMiBps.toFixed(0)} MiB/s, sidecar process peak RSS ${result.peakRssMiB.toFixed(0)} MiB ` +
    `(${result.baselineRssMiB.toFixed(0)} MiB before loading the S3 client)`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = benchArtifacts(Number(process.env["BENCH_ARTIFACT_MIB"] ?? 1024));
  console.log(
    result === undefined
      ? "artifact bench: no store (start the test cluster or set BENCH_S3_*)"
      : artifactLine(result),
  );
}
