// The `N/M conformance cases pass` line, from the e2e run's vitest JSON report: each case is a
// test `case <name>` or, for a known gap, `known gap <name>` (test/e2e/conformance.test.ts).

export interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: string;
}

export interface TestFileResult {
  name: string;
  assertionResults: AssertionResult[];
}

/** The line, or undefined when the report holds no conformance case. */
export function conformanceSummary(files: readonly TestFileResult[]): string | undefined {
  let total = 0;
  let passing = 0;
  let gaps = 0;
  for (const file of files) {
    if (!file.name.endsWith("conformance.test.ts")) continue;
    for (const test of file.assertionResults) {
      if (test.ancestorTitles[0] !== "conformance") continue;
      if (test.title.startsWith("case ")) {
        total += 1;
        if (test.status === "passed") passing += 1;
      } else if (test.title.startsWith("known gap ")) {
        total += 1;
        // A known gap's test fails when the case conforms after all.
        if (test.status === "failed") passing += 1;
        else if (test.status === "passed") gaps += 1;
      }
    }
  }
  if (total === 0) return undefined;
  return `${passing}/${total} conformance cases pass` + (gaps > 0 ? ` (${gaps} known gaps)` : "");
}
