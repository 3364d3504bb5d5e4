import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandLine } from "./container-process.ts";
import { backoffDelay, logAttempts } from "./container-runner.ts";

describe("backoffDelay", () => {
  it("when restarts accumulate, then the delay doubles up to the cap", () => {
    const b = { baseMs: 10_000, maxMs: 300_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, b))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000,
    ]);
  });
});

describe("logAttempts", () => {
  it("when a directory holds attempt logs, then their numbers come back sorted", () => {
    const dir = mkdtempSync(join(tmpdir(), "onexit-attempts-"));
    for (const f of ["10.log", "2.log", "x.txt"]) writeFileSync(join(dir, f), "");
    expect(logAttempts(dir)).toEqual([2, 10]);
    expect(logAttempts(join(dir, "missing"))).toEqual([]);
  });
});

describe("commandLine", () => {
  it("when the pod has its own network namespace, then the command enters it before unsharing the mount namespace", () => {
    expect(commandLine({ netns: "onexit-x", argv: ["echo", "hi"], script: "S" })).toEqual([
      "ip",
      "netns",
      "exec",
      "onexit-x",
      "unshare",
      "--mount",
      "--uts",
      "--propagation",
      "private",
      "sh",
      "-c",
      "S",
      "onexit-container",
      "echo",
      "hi",
    ]);
  });

  it("when the pod uses the host network, then only the mount namespace is new", () => {
    expect(commandLine({ netns: "", argv: ["true"], script: "S" })[0]).toBe("unshare");
  });
});
