// What the bench runs, from the environment. Nothing else reads process.env for settings.
//   BENCH_QUICK=1            small levels, short webhook runs: a smoke run of a minute or two
//   BENCH_LEVELS=1,50,200    concurrent workflows per latency level
//   BENCH_SCALE_BASE=50      the load the scaling runs multiply (quick: 5)
//   BENCH_SCALE=2,4          multiples of BENCH_SCALE_BASE for the scaling runs ("" for none)
//   BENCH_SECTIONS=load,webhook,sidecar   which parts to run
//   BENCH_WEBHOOK_RATES=100,500,1000      target AdmissionReview rates (req/s)
//   BENCH_WEBHOOK_SECONDS=10 seconds per webhook rate
//   BENCH_LOG_MB=200         log size of the sidecar's log-flood step
//   BENCH_SIDECAR_RUNS=8     single workflows run one after another for the sidecar's figures
//   BENCH_WARM_RUNS=5        single workflows whose step sleeps 1 s (the sidecar is watching when
//                            main exits): the handler latency without the sidecar's start-up in it
//   BENCH_NAMESPACE=onexit-bench
//   BENCH_SIDE_SINGLES=10    side by side with Argo (section "sidebyside"): workflows run one at a time
//   BENCH_SIDE_LEVELS=20,100 side by side: concurrent levels; the last one also runs a failing step
//                            and gives the CPU per workflow (quick: 3 singles, levels 5,10)
//   BENCH_SIDE_REPEAT=1      side by side: run onexit again after Argo (0: once, before)
//   BENCH_SIDE_WARMUP=20     side by side: workflows run at once, unmeasured, before each system's
//                            measures (its caches, JIT and the API server's watch cache warm; 0: none)

export type Section = "load" | "webhook" | "sidecar" | "sidebyside";
const SECTIONS: readonly string[] = ["load", "webhook", "sidecar", "sidebyside"];

export interface BenchConfig {
  quick: boolean;
  namespace: string;
  levels: number[];
  scaleBase: number;
  scale: number[];
  sections: Set<Section>;
  webhookRates: number[];
  webhookSeconds: number;
  apiDryRuns: number;
  logMegabytes: number;
  sidecarRuns: number;
  warmRuns: number;
  /** Per load level: at least this long, plus a per-workflow allowance. */
  levelTimeoutMs: (concurrency: number) => number;
  createParallelism: number;
  sideSingles: number;
  sideLevels: number[];
  sideRepeat: boolean;
  sideWarmup: number;
}

function numbers(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
}

export function parseConfig(env: Record<string, string | undefined>): BenchConfig {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const sections = (env.BENCH_SECTIONS ?? "load,webhook,sidecar,sidebyside")
    .split(",")
    .map((s) => s.trim())
    .filter((s): s is Section => SECTIONS.includes(s));
  return {
    quick,
    namespace: env.BENCH_NAMESPACE ?? "onexit-bench",
    levels: numbers(env.BENCH_LEVELS, quick ? [1, 10] : [1, 50, 200]),
    scaleBase: Number(env.BENCH_SCALE_BASE ?? (quick ? 5 : 50)),
    scale: numbers(env.BENCH_SCALE, [2, 4]),
    sections: new Set(sections),
    webhookRates: numbers(env.BENCH_WEBHOOK_RATES, quick ? [100, 500] : [100, 500, 1000, 2000]),
    webhookSeconds: Number(env.BENCH_WEBHOOK_SECONDS ?? (quick ? 3 : 10)),
    apiDryRuns: quick ? 50 : 200,
    logMegabytes: Number(env.BENCH_LOG_MB ?? (quick ? 20 : 200)),
    sidecarRuns: Number(env.BENCH_SIDECAR_RUNS ?? (quick ? 3 : 8)),
    warmRuns: Number(env.BENCH_WARM_RUNS ?? (quick ? 2 : 5)),
    levelTimeoutMs: (n) => 60_000 + n * 1_500,
    createParallelism: 16,
    sideSingles: Number(env.BENCH_SIDE_SINGLES ?? (quick ? 3 : 10)),
    sideLevels: numbers(env.BENCH_SIDE_LEVELS, quick ? [5, 10] : [20, 100]),
    sideRepeat: env.BENCH_SIDE_REPEAT !== "0",
    sideWarmup: Number(env.BENCH_SIDE_WARMUP ?? (quick ? 5 : 20)),
  };
}

export interface Level {
  concurrency: number;
  role: "latency" | "scaling" | "latency+scaling";
}

/** The latency levels and the scaling levels, merged, ascending. */
export function loadLevels(config: BenchConfig): Level[] {
  const multiples = config.scale.length > 0 ? [1, ...config.scale] : [];
  const scaling = new Set(multiples.map((m) => Math.round(m * config.scaleBase)));
  const latency = new Set(config.levels);
  return [...new Set([...latency, ...scaling])]
    .sort((a, b) => a - b)
    .map((concurrency) => ({
      concurrency,
      role: latency.has(concurrency) ? (scaling.has(concurrency) ? "latency+scaling" : "latency") : "scaling",
    }));
}
