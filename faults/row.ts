// One line of the faults table, and the JSON written to faults/results/<date>.json.
import type { HostSpeed } from "../bench/host-speed.ts";

export interface Row {
  fault: string;
  /** "workflows": N workflows under a fault; "input": N generated bad inputs. */
  kind: "workflows" | "input";
  workflows: number;
  /** Null where it does not apply (bad input). */
  handlersRun: number | null;
  exactlyOnce: number | null;
  lost: number | null;
  stuck: number;
  worstDelayMs: number | null;
  ok: boolean;
  /** Why the row is not ok, one line per problem (the first few). */
  problems: string[];
  /** Set when the row needs a fix that is not on this branch yet. */
  note?: string;
}

export interface Results {
  date: string;
  hostSpeed: HostSpeed;
  rows: Row[];
}

const cell = (value: number | null): string => (value === null ? "n/a" : String(value));

function delay(ms: number | null): string {
  return ms === null ? "n/a" : `${(ms / 1000).toFixed(0)} s`;
}

/** A fixed-width table: fault | workflows | handlers run | exactly once | lost | stuck | worst delay. */
export function renderTable(rows: Row[]): string {
  const header = ["fault", "workflows", "handlers run", "exactly once", "lost", "stuck", "worst delay", "ok"];
  const lines = rows.map((r) => [
    r.fault,
    String(r.workflows),
    cell(r.handlersRun),
    cell(r.exactlyOnce),
    cell(r.lost),
    String(r.stuck),
    delay(r.worstDelayMs),
    r.ok ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const format = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [format(header), rule, ...lines.map(format)].join("\n");
}
