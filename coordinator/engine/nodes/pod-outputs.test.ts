import { describe, expect, it } from "vitest";
import type { Template } from "../workflow.ts";
import type { PodResult } from "./pod-observe.ts";
import { podOutputs } from "./pod-outputs.ts";

const template = (defaultValue?: string): Template =>
  ({
    name: "gen",
    container: { image: "alpine" },
    outputs: {
      parameters: [
        { name: "out", globalName: "g", valueFrom: { path: "/app/out.json", default: defaultValue } },
      ],
    },
  }) as Template;

function result(outputs: Record<string, string> | undefined, reported = true): PodResult {
  return {
    state: "done",
    phase: "Succeeded",
    message: undefined,
    exitCode: 0,
    startedAt: undefined,
    finishedAt: undefined,
    outputs,
    result: undefined,
    logBytes: undefined,
    report: reported ? ({} as PodResult["report"]) : undefined,
    sidecarFailure: undefined,
  };
}

describe("podOutputs", () => {
  it("when the file was reported, then it is the value, published under its globalName", () => {
    const out = podOutputs(template("d"), result({ out: "" }));
    expect(out.outputs.parameters).toEqual([{ name: "out", value: "" }]);
    expect(out.globals).toEqual({ g: "" });
    expect(out.missing).toBeUndefined();
  });

  it("when the file was not reported and there is a default, then the default is the value", () => {
    const out = podOutputs(template("d"), result({}));
    expect(out.outputs.parameters).toEqual([{ name: "out", value: "d" }]);
    expect(out.missing).toBeUndefined();
  });

  it("when the file was not reported and there is no default, then the failure names parameter and path", () => {
    const out = podOutputs(template(), result({}));
    expect(out.outputs.parameters).toBeUndefined();
    expect(out.missing).toBe(
      "output parameter out: /app/out.json: no such file or directory (or not readable: see the wait container's log)",
    );
  });

  it("when there was no report at all, then nothing is missing (the pod's status decides)", () => {
    expect(podOutputs(template(), result(undefined, false)).missing).toBeUndefined();
  });
});
