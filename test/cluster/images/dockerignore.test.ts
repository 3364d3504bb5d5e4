import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isIgnored, parseDockerignore } from "./dockerignore.ts";

const project = parseDockerignore(readFileSync(new URL("../../../.dockerignore", import.meta.url), "utf8"));

describe("parseDockerignore", () => {
  it("when lines have comments, blanks and slashes around, then only the patterns remain", () => {
    expect(parseDockerignore("# c\n\n/dist/\n**/*.test.ts\n")).toEqual(["dist", "**/*.test.ts"]);
  });
});

describe("isIgnored", () => {
  it.each([
    ["common/names.ts", false],
    ["common/names.test.ts", true],
    ["coordinator/engine/plan.test.ts", true],
    ["coordinator/engine/testdata/a.yaml", true],
    ["package.json", false],
    ["dist/bin/onexit.js", true],
    ["test/e2e/x.ts", true],
    ["tests.ts", false],
  ])("when the project's .dockerignore is applied to %s, then ignored is %s", (path, ignored) => {
    expect(isIgnored(path, project)).toBe(ignored);
  });

  it("when a pattern has ? and *, then each stands for one segment's characters only", () => {
    expect(isIgnored("a/b1/c", ["a/b?"])).toBe(true);
    expect(isIgnored("a/x/b1", ["a/*"])).toBe(true);
    expect(isIgnored("x/a/b", ["a/*"])).toBe(false);
  });

  it("when a pattern is an exception, then the offline build refuses it rather than differ from docker", () => {
    expect(() => isIgnored("a", ["!a"])).toThrow(/exceptions/);
  });
});
