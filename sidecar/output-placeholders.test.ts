import { mkdtempSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isUntouchedPlaceholder } from "../common/output-placeholder.ts";
import { createPlaceholders } from "./output-placeholders.ts";

describe("output placeholders", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "onexit-placeholders-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("when created, then each file is empty, writable by anyone and reads as never written", async () => {
    const files = [join(dir, "p0"), join(dir, "p1")];
    await createPlaceholders(files);
    for (const file of files) {
      const stat = statSync(file);
      expect(stat.mode & 0o777).toBe(0o666);
      expect(isUntouchedPlaceholder(stat)).toBe(true);
    }
  });

  it("when main writes an empty file over it, then it is an output (the truncation dates it)", async () => {
    const file = join(dir, "p0");
    await createPlaceholders([file]);
    writeFileSync(file, "");
    expect(isUntouchedPlaceholder(statSync(file))).toBe(false);
  });

  it("when main appends to it, then it is an output", async () => {
    const file = join(dir, "p0");
    await createPlaceholders([file]);
    appendFileSync(file, "x");
    expect(isUntouchedPlaceholder(statSync(file))).toBe(false);
  });

  it("when a directory is missing, then creating fails", async () => {
    await expect(createPlaceholders([join(dir, "no", "p0")])).rejects.toThrow(/ENOENT/);
  });
});
