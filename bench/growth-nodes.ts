// Issue 14 item 4: how one workflow's size grows the coordinator's pass and its stored status.
// A `withSequence` loop of N steps with `parallelism`, driven to the end through the engine's
// own pure reconcile (the test world of coordinator/engine/testing/, no cluster, no pods run):
// each pass's wall time and the status's JSON size as N grows.
// `node bench/growth-nodes.ts [N,...]` prints a table; `make bench` does not run it.
import { performance } from "node:perf_hooks";
import { ANNOTATION_REPORT } from "../common/names.ts";
import { reportFor, step, world } from "../coordinator/engine/testing/world.ts";
import { jsonBytes, packWorkflow } from "../coordinator/node-status-packing.ts";
import { table } from "./report.ts";
import { summarize } from "./stats.ts";

export interface NodesGrowth {
  /** Steps in the loop (the workflow's nodes are these plus the steps and group nodes). */
  steps: number;
  nodes: number;
  passes: number;
  /** Wall time of one pass (reconcile plus the world's clone of its input), ms. */
  passMs: { p50: number; max: number; last: number };
  /** structuredClone of the finished workflow and its pods, ms: the part of a pass that is the world's, not the engine's. */
  cloneMs: number;
  /** JSON.stringify(status).length at the end, bytes. */
  statusBytes: number;
  /** The whole Workflow object, bytes: what the API server must accept (etcd's limit is 1.5 MiB by default). */
  objectBytes: number;
  /** The same with status.nodes compressed as Argo does (coordinator/node-status-packing.ts), bytes. */
  packedBytes: number;
}

export function loopWorkflow(steps: number, parallelism: number): string {
  return `
spec:
  entrypoint: main
  onExit: handler
  templates:
    - name: main
      parallelism: ${parallelism}
      steps:
        - - name: item
            template: work
            withSequence: { count: "${steps}" }
    - name: work
      container: { image: alpine:3, command: [sh, -c, "exit 0"] }
    - name: handler
      container: { image: alpine:3, command: [sh, -c, "exit 0"] }
`;
}

export async function growNodes(steps: number, parallelism = 100): Promise<NodesGrowth> {
  const w = world(loopWorkflow(steps, parallelism));
  const times: number[] = [];
  const maxPasses = steps * 2 + 50;
  while (w.workflow.status?.phase !== "Succeeded" && w.workflow.status?.phase !== "Failed") {
    if (times.length > maxPasses) throw new Error(`${steps} steps: not done after ${maxPasses} passes`);
    const t0 = performance.now();
    step(w);
    times.push(performance.now() - t0);
    // Every pod created so far ends at once, with a sidecar's report.
    for (const pod of w.pods) {
      if (pod.metadata?.annotations?.[ANNOTATION_REPORT] !== undefined) continue;
      pod.metadata = {
        ...pod.metadata,
        annotations: {
          ...pod.metadata?.annotations,
          [ANNOTATION_REPORT]: JSON.stringify(reportFor(pod, 0, w.now)),
        },
      };
    }
  }
  const c0 = performance.now();
  structuredClone(w.workflow);
  structuredClone(w.pods);
  const cloneMs = performance.now() - c0;
  const s = summarize(times);
  const round = (v: number): number => Math.round(v * 10) / 10;
  const packed = await packWorkflow(w.workflow, 0, false);
  return {
    steps,
    nodes: Object.keys(w.workflow.status?.nodes ?? {}).length,
    passes: times.length,
    passMs: { p50: s.p50, max: s.max, last: round(times[times.length - 1] ?? Number.NaN) },
    cloneMs: round(cloneMs),
    statusBytes: JSON.stringify(w.workflow.status).length,
    objectBytes: JSON.stringify(w.workflow).length,
    packedBytes: packed.ok ? jsonBytes(packed.workflow) : Number.NaN,
  };
}

export function renderNodesGrowth(rows: NodesGrowth[]): string {
  return table(
    [
      "loop steps",
      "nodes",
      "passes",
      "pass p50 ms",
      "pass max ms",
      "last pass ms",
      "input clone ms",
      "status KiB",
      "object KiB",
      "packed KiB",
    ],
    rows.map((r) =>
      [
        r.steps,
        r.nodes,
        r.passes,
        r.passMs.p50,
        r.passMs.max,
        r.passMs.last,
        r.cloneMs,
        r.statusBytes / 1024,
        r.objectBytes / 1024,
        r.packedBytes / 1024,
      ].map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))),
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = (process.argv[2] ?? "10,100,1000,5000").split(",").map(Number);
  await growNodes(200); // warms the JIT, so the small sizes are not measured cold
  const rows: NodesGrowth[] = [];
  for (const n of sizes) {
    const row = await growNodes(n);
    process.stderr.write(`${n} steps: ${row.passes} passes, last ${row.passMs.last} ms\n`);
    rows.push(row);
  }
  process.stdout.write(renderNodesGrowth(rows) + "\n");
}
