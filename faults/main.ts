// `make faults`: injects real faults into the test cluster (or the one KUBECONFIG names, for the
// faults that need only the API) and checks onexit's promise under each: every workflow final,
// its exit handler run exactly once, nothing stuck. Prints one table, writes
// faults/results/<date>.json, exits 1 if any row is wrong. Delays are measured, never asserted.
// Settings: faults/config.ts.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { measureHostSpeed } from "../bench/host-speed.ts";
import { toolsOnPath } from "../bench/setup.ts";
import { installOnexit } from "../test/e2e/install-onexit.ts";
import { badInputRows } from "./bad-input.ts";
import { catalog } from "./catalog.ts";
import { parseFaultsConfig, selected } from "./config.ts";
import { renderTable, type Results, type Row } from "./row.ts";
import { runFault } from "./run-fault.ts";

const RESULTS_DIR = new URL("./results", import.meta.url).pathname;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} faults: ${line}\n`);
}

function writeResults(results: Results): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const base = results.date.slice(0, 10);
  let path = join(RESULTS_DIR, `${base}.json`);
  for (let n = 2; existsSync(path); n++) path = join(RESULTS_DIR, `${base}-${n}.json`);
  writeFileSync(path, JSON.stringify(results, null, 2) + "\n");
  return path;
}

async function main(): Promise<void> {
  toolsOnPath();
  const config = parseFaultsConfig(process.env);
  log("installing onexit with its chart (as the e2e suite does, failpoints directory set)");
  installOnexit();
  const hostSpeed = measureHostSpeed();
  log(`host speed: node start ${hostSpeed.nodeStartMs} ms, loop ${hostSpeed.loopMs} ms`);
  const rows: Row[] = [];
  for (const fault of catalog(config)) {
    if (!selected(config, fault.name)) continue;
    log(`${fault.name}: starting`);
    const row = await runFault(fault, { workflows: config.workflows, timeoutMs: config.timeoutMs, log });
    log(`${fault.name}: ${row.ok ? "ok" : `WRONG: ${row.problems.join("; ")}`}`);
    rows.push(row);
  }
  rows.push(...(await badInputRows({ runs: config.badInputs, log, only: (name) => selected(config, name) })));
  const results: Results = { date: new Date().toISOString(), hostSpeed, rows };
  process.stdout.write(renderTable(rows) + "\n");
  for (const row of rows.filter((r) => !r.ok))
    process.stdout.write(
      `\n${row.fault}${row.note ? ` (${row.note})` : ""}:\n  ${row.problems.join("\n  ")}\n`,
    );
  log(`results written to ${writeResults(results)}`);
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

await main();
