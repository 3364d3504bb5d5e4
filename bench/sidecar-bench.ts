// The `wait` sidecar: its peak RSS, how long from its process starting to its first log line
// and to its pod watch delivering main's start, the API requests it makes per pod, and its
// peak RSS while main writes a flood of log.
import type { Api } from "./api.ts";
import type { ArtifactBenchResult } from "./artifact-bench.ts";
import { runLoad, type LoadRunOptions, type LoadRunResult } from "./load-run.ts";
import { countMatching } from "./request-counts.ts";
import type { SidecarUsage } from "./sampler.ts";
import { summarize, type Summary } from "./stats.ts";
import { logFloodScript } from "./workflows.ts";

export interface SidecarBenchResult {
  pods: number;
  cmdline?: string;
  peakRssMiB: Summary;
  stepPeakRssMiB: Summary;
  handlerPeakRssMiB: Summary;
  /** Its private memory (RssAnon) when done, from its last log line: the rest of its RSS is the
   * node binary's pages, shared with every Node.js process on the host. */
  privateMiB: Summary;
  /** Process start → its "starting" line (Node boot, module loading, config). */
  startToFirstLogMs: Summary;
  /** Process start → "capturing logs": its pod watch is open and has shown main started. */
  startToWatchingMs: Summary;
  /** Requests the sidecar itself sends to the API server, per pod (pod watch + log stream). */
  apiRequestsPerPod: number;
  /** Requests its report causes in the coordinator, per pod (TokenReview, pod annotation). */
  reportRequestsPerPod: number;
  flood?: {
    megabytes: number;
    peakRssMiB: number;
    sidecarCpuSec: number;
    agentCpuSec: number;
    capturedBytes: number;
    /** Step pod seen → main seen terminated. */
    stepMs: number;
  };
  /** An artifact streamed to and from the test cluster's S3 store by the sidecar's own code (artifact-bench.ts). */
  artifacts?: ArtifactBenchResult;
}

export type SidecarRunOptions = Omit<LoadRunOptions, "concurrency" | "prefix" | "script">;

function isHandler(pod: string): boolean {
  return pod.includes("-handler-");
}

/** The time= field of the first logfmt line whose msg matches. */
export function logLineTime(log: string, msg: string): number | undefined {
  for (const line of log.split("\n")) {
    const m = /^time=(\S+) level=\w+ msg=("([^"]*)"|\S+)/.exec(line);
    if (m === null) continue;
    if ((m[3] ?? m[2]) === msg) return Date.parse(m[1] as string);
  }
  return undefined;
}

async function waitLog(api: Api, namespace: string, pod: string): Promise<string> {
  return api.getText(`/api/v1/namespaces/${namespace}/pods/${pod}/log?container=wait`).catch(() => "");
}

/** What the sidecars' own logs tell: start-up times, and private memory from their last line. */
async function fromWaitLogs(
  api: Api,
  namespace: string,
  sidecars: SidecarUsage[],
): Promise<{ firstLog: number[]; watching: number[]; privateMiB: number[] }> {
  const firstLog: number[] = [];
  const watching: number[] = [];
  const privateMiB: number[] = [];
  for (const sidecar of sidecars) {
    const log = await waitLog(api, namespace, sidecar.pod);
    const starting = logLineTime(log, "starting");
    const capturing = logLineTime(log, "capturing logs");
    if (starting !== undefined) firstLog.push(starting - sidecar.startEpochMs);
    if (capturing !== undefined) watching.push(capturing - sidecar.startEpochMs);
    const done = /msg=done .*privateMiB=(\d+)/.exec(log);
    if (done !== null) privateMiB.push(Number(done[1]));
  }
  return { firstLog, watching, privateMiB };
}

function perPod(runs: LoadRunResult[], pattern: RegExp): number {
  const pods = runs.reduce((n, r) => n + r.finished * 2, 0);
  const requests = runs.reduce((n, r) => n + countMatching(r.counts, pattern), 0);
  return pods > 0 ? requests / pods : Number.NaN;
}

export async function benchSidecar(
  options: SidecarRunOptions,
  workflows: number,
  floodMegabytes: number,
  log: (line: string) => void,
): Promise<SidecarBenchResult> {
  const stamp = Date.now().toString(36);
  // One workflow at a time: the sidecar's own cost, not the machine's queue.
  const runs: LoadRunResult[] = [];
  for (let i = 0; i < workflows; i++)
    runs.push(await runLoad({ ...options, concurrency: 1, prefix: `sc${stamp}-${i}` }));
  const sidecars = runs.flatMap((r) => r.usage?.sidecars ?? []);
  const times = await fromWaitLogs(options.api, options.namespace, sidecars);
  const result: SidecarBenchResult = {
    pods: sidecars.length,
    cmdline: sidecars[0]?.cmdline,
    peakRssMiB: summarize(sidecars.map((s) => s.peakRssMiB)),
    stepPeakRssMiB: summarize(sidecars.filter((s) => !isHandler(s.pod)).map((s) => s.peakRssMiB)),
    handlerPeakRssMiB: summarize(sidecars.filter((s) => isHandler(s.pod)).map((s) => s.peakRssMiB)),
    privateMiB: summarize(times.privateMiB),
    startToFirstLogMs: summarize(times.firstLog),
    startToWatchingMs: summarize(times.watching),
    apiRequestsPerPod: perPod(runs, /^(WATCH pods namespace|CONNECT pods\/log resource)$/),
    reportRequestsPerPod: perPod(runs, /^POST tokenreviews /),
  };
  if (floodMegabytes <= 0) return result;
  log(`sidecar: a step writing ${floodMegabytes} MB of log`);
  const flood = await runLoad({
    ...options,
    concurrency: 1,
    prefix: `fl${stamp}`,
    script: logFloodScript(floodMegabytes),
    timeoutMs: 300_000,
  });
  const step = flood.usage?.sidecars.find((s) => !isHandler(s.pod));
  const captured = step
    ? /msg="log captured" bytes=(\d+)/.exec(await waitLog(options.api, options.namespace, step.pod))
    : null;
  const agent = flood.usage?.components.find((c) => c.component === "agent");
  result.flood = {
    megabytes: floodMegabytes,
    peakRssMiB: step?.peakRssMiB ?? Number.NaN,
    sidecarCpuSec: step?.cpuSec ?? Number.NaN,
    agentCpuSec: agent ? agent.cpuSec + agent.childrenCpuSec : Number.NaN,
    capturedBytes: Number(captured?.[1] ?? Number.NaN),
    stepMs: flood.phasesMs["step pod → main terminated"]?.max ?? Number.NaN,
  };
  return result;
}
