// How fast this host is, so results from different machines (or a busy day) can be compared:
// the same bench on a host whose cores are half as fast shows half the throughput, whatever
// onexit does. Both figures are medians of a few runs taken before the bench starts.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

export interface HostSpeed {
  /** `node --jitless -e 0`, start to exit: what every sidecar pays before its first line. */
  nodeStartMs: number;
  /** A fixed integer loop (FNV-1a over 200 million bytes) in this process. */
  loopMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function fnvLoop(bytes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes; i++) hash = Math.imul(hash ^ (i & 0xff), 0x01000193) >>> 0;
  return hash;
}

export function measureHostSpeed(runs = 5): HostSpeed {
  const starts: number[] = [];
  const loops: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    spawnSync(process.execPath, ["--jitless", "-e", "0"]);
    starts.push(performance.now() - t);
    t = performance.now();
    fnvLoop(200_000_000);
    loops.push(performance.now() - t);
  }
  return { nodeStartMs: Math.round(median(starts)), loopMs: Math.round(median(loops)) };
}
