import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_OUTPUT_VALUE_BYTES } from "../common/report-limits.ts";
import { volumeReader } from "./output-files.ts";
import { parseOutputSpecs, readOutputs, safeRelativePath } from "./outputs.ts";

describe("parseOutputSpecs", () => {
  it("when the annotation is absent or empty, then there is nothing to read and no warning", () => {
    expect(parseOutputSpecs(undefined)).toEqual({ specs: [], warnings: [] });
    expect(parseOutputSpecs("")).toEqual({ specs: [], warnings: [] });
  });

  it("when the annotation lists outputs, then they are returned in order", () => {
    const annotation = JSON.stringify([
      { name: "a", path: "d0/a" },
      { name: "b", path: "d1/b.txt" },
    ]);
    expect(parseOutputSpecs(annotation).specs).toEqual([
      { name: "a", path: "d0/a" },
      { name: "b", path: "d1/b.txt" },
    ]);
  });

  it("when the annotation is not JSON or not the right shape, then a warning says so", () => {
    expect(parseOutputSpecs("{").warnings).toEqual(["outputs annotation is not JSON"]);
    expect(parseOutputSpecs('{"a":1}').warnings).toEqual([
      "outputs annotation is not a list of {name, path}",
    ]);
  });

  it("when the list is well formed but entries carry other keys, then those are ignored", () => {
    expect(parseOutputSpecs(JSON.stringify([{ name: "a", path: "d0/a", extra: 1 }]))).toEqual({
      specs: [{ name: "a", path: "d0/a" }],
      warnings: [],
    });
    expect(parseOutputSpecs("[]")).toEqual({ specs: [], warnings: [] });
  });

  it("when any entry lacks a non-empty string name or path, then the whole list is refused", () => {
    const notAList = { specs: [], warnings: ["outputs annotation is not a list of {name, path}"] };
    for (const annotation of [
      "null",
      '"x"',
      "[null]",
      '[["a","b"]]',
      '[{"name":"","path":"b"}]',
      '[{"name":1,"path":"b"}]',
      '[{"name":"a"}]',
      '[{"name":"a","path":"b"},{"path":"c"}]',
      '{"0":{"name":"a","path":"b"},"length":1}',
    ])
      expect(parseOutputSpecs(annotation)).toEqual(notAList);
  });

  it("when a name is longer than a report allows, then that output is dropped with a warning", () => {
    const result = parseOutputSpecs(
      JSON.stringify([
        { name: "n".repeat(254), path: "d0/a" },
        { name: "ok", path: "d0/b" },
      ]),
    );
    expect(result.specs).toEqual([{ name: "ok", path: "d0/b" }]);
    expect(result.warnings).toEqual([`output ${"n".repeat(64)}…: name longer than 253 characters`]);
  });

  it("when a path escapes the volume, then that output is dropped with a warning", () => {
    const result = parseOutputSpecs(
      JSON.stringify([{ name: "x", path: "../../var/run/onexit/token/token" }]),
    );
    expect(result.specs).toEqual([]);
    expect(result.warnings[0]).toContain("leaves the outputs volume");
  });

  it("when more outputs are listed than a report holds, then only the first 32 are kept", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ name: `o${i}`, path: `d/${i}` }));
    const result = parseOutputSpecs(JSON.stringify(many));
    expect(result.specs).toHaveLength(32);
    expect(result.warnings).toHaveLength(1);
  });
});

describe("safeRelativePath", () => {
  it("when paths are absolute, contain .. or empty segments, then they are unsafe", () => {
    expect(["/etc/passwd", "a/../b", "..", "a//b", "a/"].map(safeRelativePath)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(["a", "d0/a.txt", "d1/x/y"].map(safeRelativePath)).toEqual([true, true, true]);
  });
});

describe("readOutputs with the real volume reader", () => {
  let dir: string;
  let outside: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "onexit-outputs-"));
    outside = mkdtempSync(join(tmpdir(), "onexit-secret-"));
    mkdirSync(join(dir, "d0"));
    writeFileSync(join(dir, "d0", "result"), "42\n");
    writeFileSync(join(dir, "d0", "two-newlines"), "x\n\n");
    writeFileSync(join(dir, "d0", "big"), "b".repeat(MAX_OUTPUT_VALUE_BYTES + 10));
    writeFileSync(join(outside, "token"), "secret-token");
    symlinkSync(join(outside, "token"), join(dir, "d0", "link"));
    writeFileSync(join(dir, "untouched"), "");
    utimesSync(join(dir, "untouched"), 0, 0);
    writeFileSync(join(dir, "empty"), "");
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("when files exist, then their values are read with one trailing newline trimmed, as Argo does", async () => {
    const specs = [
      { name: "result", path: "d0/result" },
      { name: "nl", path: "d0/two-newlines" },
    ];
    expect(await readOutputs(specs, volumeReader(dir))).toEqual({
      outputs: [
        { name: "result", value: "42" },
        { name: "nl", value: "x\n" },
      ],
      warnings: [],
    });
  });

  it("when a file is missing, then the others are still read and a warning names it", async () => {
    const specs = [
      { name: "gone", path: "d0/missing" },
      { name: "result", path: "d0/result" },
    ];
    const result = await readOutputs(specs, volumeReader(dir));
    expect(result.outputs).toEqual([{ name: "result", value: "42" }]);
    expect(result.warnings).toEqual(["output gone: cannot read d0/missing (ENOENT)"]);
  });

  it("when main never wrote its placeholder, then the output is left out as not written", async () => {
    const result = await readOutputs([{ name: "p", path: "untouched" }], volumeReader(dir));
    expect(result).toEqual({ outputs: [], warnings: ["output p: main did not write untouched"] });
  });

  it("when main wrote an empty file, then the output is the empty string", async () => {
    const result = await readOutputs([{ name: "p", path: "empty" }], volumeReader(dir));
    expect(result).toEqual({ outputs: [{ name: "p", value: "" }], warnings: [] });
  });

  it("when a file is over the size limit, then it is left out with a warning", async () => {
    const result = await readOutputs([{ name: "big", path: "d0/big" }], volumeReader(dir));
    expect(result.outputs).toEqual([]);
    expect(result.warnings[0]).toContain("larger than");
  });

  it("when a file is a symlink out of the volume, then it is not read", async () => {
    const result = await readOutputs([{ name: "leak", path: "d0/link" }], volumeReader(dir));
    expect(result.outputs).toEqual([]);
    expect(result.warnings).toEqual(["output leak: cannot read d0/link (EOUTSIDE)"]);
  });
});
