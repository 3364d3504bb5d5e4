// Prints the plain closing line CI reads ("N passed, N failed"), summed over vitest's JSON reports,
// after the conformance corpus's "N/M conformance cases pass" when a report holds it.
import { existsSync, readFileSync } from "node:fs";
import { conformanceSummary } from "./conformance/summary-line.ts";
import type { TestFileResult } from "./conformance/summary-line.ts";

interface VitestJson {
  testResults?: TestFileResult[];
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const files: TestFileResult[] = [];
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`summary: ${file} is missing`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  files.push(...(report.testResults ?? []));
}
const conformance = conformanceSummary(files);
if (conformance !== undefined) console.log(conformance);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
