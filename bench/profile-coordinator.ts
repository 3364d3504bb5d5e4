// `node bench/profile-coordinator.ts [WORKFLOWS] [STEP_SCRIPT]`: a CPU profile of the leading
// coordinator while WORKFLOWS (default 100) one-step workflows run (their step `sh -c
// STEP_SCRIPT`, default `exit 0`; `"exit 1"` for failing steps), without touching its Deployment:
// SIGUSR1 opens its inspector on 127.0.0.1:9229 inside its pod's network namespace, and
// bench/inspector-client.ts, started there with nsenter, records the profile.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApi } from "./api.ts";
import { watchNamespace } from "./cluster-watch.ts";
import { runLoad } from "./load-run.ts";
import { onexitPods } from "./processes.ts";
import { renderProfile, summarizeProfile, type CpuProfile } from "./profile-summary.ts";
import { cleanNamespace, ensureBenchNamespace, toolsOnPath } from "./setup.ts";

const workflows = Number(process.argv[2] ?? 100);
const script = process.argv[3];
const namespace = process.env.BENCH_NAMESPACE ?? "onexit-bench";
toolsOnPath();
const api = await createApi();
const lease = await api.get<{ spec?: { holderIdentity?: string } }>(
  "/apis/coordination.k8s.io/v1/namespaces/onexit/leases/onexit-coordinator",
);
const leader = onexitPods().find(
  (p) => p.component === "coordinator" && p.pod === lease.spec?.holderIdentity,
);
if (leader === undefined) throw new Error(`leader ${lease.spec?.holderIdentity} not found on this host`);
ensureBenchNamespace(namespace);
await cleanNamespace(api, namespace);

const out = join(tmpdir(), `coordinator-${Date.now()}.cpuprofile`);
process.kill(leader.pid, "SIGUSR1");
const client = spawn(
  "nsenter",
  [
    `--net=/proc/${leader.pid}/ns/net`,
    process.execPath,
    new URL("./inspector-client.ts", import.meta.url).pathname,
    out,
  ],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const lines = createInterface({ input: client.stdout });
const nextLine = (): Promise<string> => new Promise((resolve) => lines.once("line", resolve));
if ((await nextLine()) !== "started") throw new Error("inspector client did not start");

const watch = watchNamespace(api, namespace);
await watch.ready;
const run = await runLoad({
  api,
  namespace,
  concurrency: workflows,
  prefix: `prof-${Date.now().toString(36)}`,
  timeoutMs: 60_000 + workflows * 1_500,
  createParallelism: 16,
  refs: [],
  sampler: undefined,
  attach: watch.attach,
  ...(script === undefined ? {} : { script }),
});
client.stdin.write("stop\n");
await nextLine();
watch.stop();
await cleanNamespace(api, namespace);
api.close();
process.stdout.write(
  `${leader.pod} (pid ${leader.pid}), ${run.finished}/${workflows} workflows in ${run.makespanSec.toFixed(1)} s\n` +
    `handler start ms p50 ${run.handlerStartMs.p50} p95 ${run.handlerStartMs.p95} p99 ${run.handlerStartMs.p99} max ${run.handlerStartMs.max}; ` +
    `${run.perMinute.toFixed(1)} workflows/min\n` +
    Object.entries(run.phasesMs)
      .map(([stretch, ms]) => `${stretch}: p50 ${ms.p50} p99 ${ms.p99}\n`)
      .join("") +
    `profile: ${out}\n\n` +
    renderProfile(summarizeProfile(JSON.parse(readFileSync(out, "utf8")) as CpuProfile, 30)) +
    "\n",
);
