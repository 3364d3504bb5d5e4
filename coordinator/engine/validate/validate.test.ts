import { describe, expect, it } from "vitest";
import type { Workflow } from "../workflow.ts";
import { validateSpec, validatedText } from "./validate.ts";

describe("validateSpec", () => {
  const stored = (
    uid: string | undefined,
    generation: number,
    entrypoint: string,
    phase?: "Running",
  ): Workflow => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "wf", namespace: "default", uid, generation },
    spec: { entrypoint, templates: [{ name: "main", container: { image: "alpine" } }] },
    ...(phase === undefined ? {} : { status: { phase } }),
  });

  it("when only the status and the generation move (a status write), then the text validated stays the same", () => {
    expect(validatedText(stored("u", 2, "main", "Running"))).toBe(validatedText(stored("u", 1, "main")));
    expect(validatedText(stored("u", 1, "other"))).not.toBe(validatedText(stored("u", 1, "main")));
  });

  it("when a stored workflow's spec changes under the same uid, then the new spec is validated, whatever its generation", () => {
    expect(validateSpec(stored("uid-validate-spec", 1, "main"))).toBeUndefined();
    expect(validateSpec(stored("uid-validate-spec", 2, "main", "Running"))).toBeUndefined();
    expect(validateSpec(stored("uid-validate-spec", 2, "missing"))).toBe(
      'spec.entrypoint template "missing" not found',
    );
    expect(validateSpec(stored("uid-validate-spec", 3, "main"))).toBeUndefined();
  });

  it("when the references resolved from other sources, then the same spec is validated again", () => {
    expect(validateSpec(stored("uid-validate-sources", 1, "missing"), "rv1")).toBe(
      'spec.entrypoint template "missing" not found',
    );
    expect(validateSpec(stored("uid-validate-sources", 1, "main"), "rv2")).toBeUndefined();
  });

  it("validates every time a workflow that has no uid", () => {
    expect(validateSpec(stored(undefined, 1, "main"))).toBeUndefined();
    expect(validateSpec(stored(undefined, 1, "missing"))).toBe(
      'spec.entrypoint template "missing" not found',
    );
  });
});
