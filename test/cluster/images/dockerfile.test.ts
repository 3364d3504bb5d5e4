import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contextSources, finalStageRecipe, parseInstructions, parseStages } from "./dockerfile.ts";

const projectDockerfile = readFileSync(new URL("../../../Dockerfile", import.meta.url), "utf8");

describe("parseInstructions", () => {
  it("when a line continues and comments sit between, then one instruction per logical line", () => {
    expect(parseInstructions("# c\nFROM a AS b\nRUN x \\\n  y\n\nenv A=1\n")).toEqual([
      { keyword: "FROM", args: "a AS b" },
      { keyword: "RUN", args: "x    y" },
      { keyword: "ENV", args: "A=1" },
    ]);
  });
});

describe("parseStages", () => {
  it("when stages are named, then each keeps its base, name and instructions", () => {
    const stages = parseStages("FROM a AS build\nRUN x\nFROM b\nUSER 1\n");
    expect(stages).toEqual([
      { base: "a", name: "build", instructions: [{ keyword: "RUN", args: "x" }] },
      { base: "b", instructions: [{ keyword: "USER", args: "1" }] },
    ]);
  });

  it("when an instruction comes before FROM, then it is refused", () => {
    expect(() => parseStages("RUN x\nFROM a\n")).toThrow(/before any FROM/);
  });
});

describe("finalStageRecipe", () => {
  it("when given the project's Dockerfile, then it is the image the offline build must make", () => {
    expect(finalStageRecipe(projectDockerfile)).toEqual({
      env: { NODE_ENV: "production" },
      workdir: "/app",
      user: "10001:10001",
      entrypoint: ["node", "dist/bin/onexit.js"],
      copies: [
        { fromStage: "deps", sources: ["/app/node_modules"], dest: "/app/node_modules" },
        { sources: ["package.json"], dest: "/app/" },
        { fromStage: "build", sources: ["/app/dist"], dest: "/app/dist" },
        { fromStage: "busybox", sources: ["/bin/busybox"], dest: "/usr/local/bin/busybox" },
      ],
    });
  });

  it("when the final stage runs a command, then the offline build refuses rather than differ", () => {
    expect(() => finalStageRecipe("FROM a\nRUN apt-get install x\n")).toThrow(
      /RUN has no offline equivalent/,
    );
  });

  it("when the entrypoint is in shell form, then it is refused: the image has no shell", () => {
    expect(() => finalStageRecipe("FROM a\nENTRYPOINT node x.js\n")).toThrow(/exec form/);
  });

  it("when COPY has a flag the offline build does not follow, then it is refused", () => {
    expect(() => finalStageRecipe("FROM a\nCOPY --chown=1:1 a b\n")).toThrow(/--chown/);
  });

  it("when ENV uses the space form and WORKDIR is relative, then both resolve as Docker does", () => {
    const recipe = finalStageRecipe("FROM a\nENV A some value\nWORKDIR /x\nWORKDIR y\nCOPY f g ./\n");
    expect(recipe.env).toEqual({ A: "some value" });
    expect(recipe.workdir).toBe("/x/y");
    expect(recipe.copies).toEqual([{ sources: ["f", "g"], dest: "/x/y/" }]);
  });
});

describe("contextSources", () => {
  it("when given the project's Dockerfile, then every context path any stage copies", () => {
    expect(contextSources(projectDockerfile)).toEqual([
      ".npmrc",
      "bin",
      "common",
      "coordinator",
      "package-lock.json",
      "package.json",
      "sidecar",
      "tsconfig.build.json",
      "tsconfig.json",
      "webhook",
    ]);
  });

  it("when a stage is named, then only the files that stage copies", () => {
    expect(contextSources(projectDockerfile, "deps")).toEqual([
      ".npmrc",
      "package-lock.json",
      "package.json",
    ]);
  });

  it("when the named stage does not exist, then it is refused", () => {
    expect(() => contextSources(projectDockerfile, "nope")).toThrow(/no stage named nope/);
  });
});
