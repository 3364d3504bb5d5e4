// The golden pattern: the chart's admission policy and docs/FIELDS.md are generated from the field
// table, and this test fails when the committed files differ. `npm run gen:fields` rewrites them.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { fieldsMarkdown } from "./fields-doc.ts";
import { policyTemplate } from "./fields-policy.ts";

const ROOT = new URL("../../../", import.meta.url);

/** The docs as `prettier --write` leaves them, so `prettier --check .` agrees with the golden file. */
async function formattedMarkdown(): Promise<string> {
  const options = await prettier.resolveConfig(fileURLToPath(new URL("docs/FIELDS.md", ROOT)));
  return prettier.format(fieldsMarkdown(), { ...options, parser: "markdown" });
}

const GENERATED = [
  { path: "charts/onexit/templates/workflow-fields-policy.yaml", text: async () => policyTemplate() },
  { path: "docs/FIELDS.md", text: formattedMarkdown },
];

describe.each(GENERATED)("$path", ({ path, text }) => {
  it("is what the field table generates (npm run gen:fields)", async () => {
    const file = new URL(path, ROOT);
    const expected = await text();
    if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, expected);
    expect(readFileSync(file, "utf8"), `${path} is stale: run npm run gen:fields`).toBe(expected);
  });
});
