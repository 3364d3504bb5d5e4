import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFailpoint, FAILPOINTS, podCreatePoint, type FailpointDeps } from "./failpoints.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(): { dir: string; deaths: string[]; deps: FailpointDeps } {
  const dir = mkdtempSync(join(tmpdir(), "failpoints-"));
  dirs.push(dir);
  const deaths: string[] = [];
  const deps: FailpointDeps = {
    exists: existsSync,
    rename: renameSync,
    die: () => deaths.push("killed"),
  };
  return { dir, deaths, deps };
}

describe("failpoints", () => {
  it("when no directory is configured, then no point ever fires", () => {
    const { dir, deaths, deps } = setup();
    writeFileSync(join(dir, FAILPOINTS.afterPod), "");
    const fp = createFailpoint(undefined, deps);
    fp(FAILPOINTS.afterPod);
    expect(deaths).toEqual([]);
    expect(createFailpoint("", deps)).toBeTypeOf("function");
  });

  it("when a point is not armed, then it does nothing", () => {
    const { dir, deaths, deps } = setup();
    createFailpoint(dir, deps)(FAILPOINTS.beforePod);
    expect(deaths).toEqual([]);
  });

  it("when a point is armed, then it fires once and leaves the file renamed", () => {
    const { dir, deaths, deps } = setup();
    writeFileSync(join(dir, FAILPOINTS.beforeHandlerPod), "");
    const fp = createFailpoint(dir, deps);
    fp(FAILPOINTS.afterHandlerPod);
    fp(FAILPOINTS.beforeHandlerPod);
    fp(FAILPOINTS.beforeHandlerPod);
    expect(deaths).toEqual(["killed"]);
    expect(existsSync(join(dir, FAILPOINTS.beforeHandlerPod))).toBe(false);
    expect(existsSync(join(dir, `${FAILPOINTS.beforeHandlerPod}.fired`))).toBe(true);
  });

  it("when another process renamed the file first, then this one lives", () => {
    const { dir, deaths, deps } = setup();
    const fp = createFailpoint(dir, {
      ...deps,
      exists: () => true,
      rename: () => {
        throw new Error("ENOENT");
      },
    });
    fp(FAILPOINTS.afterPod);
    expect(deaths).toEqual([]);
  });

  it("when a pod is created, then the exit handler's pod has its own pair of points", () => {
    expect(podCreatePoint("before", false)).toBe(FAILPOINTS.beforePod);
    expect(podCreatePoint("after", false)).toBe(FAILPOINTS.afterPod);
    expect(podCreatePoint("before", true)).toBe(FAILPOINTS.beforeHandlerPod);
    expect(podCreatePoint("after", true)).toBe(FAILPOINTS.afterHandlerPod);
  });
});
