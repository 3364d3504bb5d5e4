// Stops the bench before it starves the shared machine of memory: every pod's sidecar is a
// Node.js process, and the test cluster's agent enforces no limits.
import { readFileSync } from "node:fs";

export function memAvailableMiB(): number {
  try {
    const kib = /^MemAvailable:\s+(\d+)/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1];
    return kib === undefined ? Number.POSITIVE_INFINITY : Number(kib) / 1024;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Calls onLow once when MemAvailable drops under minMiB; returns a stop function. */
export function guardMemory(minMiB: number, onLow: (availableMiB: number) => void): () => void {
  let fired = false;
  const timer = setInterval(() => {
    const available = memAvailableMiB();
    if (fired || available >= minMiB) return;
    fired = true;
    onLow(available);
  }, 1000).unref();
  return () => clearInterval(timer);
}
