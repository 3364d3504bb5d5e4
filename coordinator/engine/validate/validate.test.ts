import { describe, expect, it } from "vitest";
import type { Workflow } from "../workflow.ts";
import { validateGeneration } from "./validate.ts";

describe("validateGeneration", () => {
  const stored = (generation: number | undefined, entrypoint: string): Workflow => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "wf", namespace: "default", uid: "uid-validate-once", generation },
    spec: { entrypoint, templates: [{ name: "main", container: { image: "alpine" } }] },
  });

  it("validates a stored workflow once per generation: (uid, generation) stands for its spec", () => {
    expect(validateGeneration(stored(1, "main"))).toBeUndefined();
    // Not a spec an API server would keep under the same generation: shows the memo's key.
    expect(validateGeneration(stored(1, "missing"))).toBeUndefined();
    expect(validateGeneration(stored(2, "missing"))).toBe('spec.entrypoint template "missing" not found');
  });

  it("validates every time a workflow that has no generation", () => {
    expect(validateGeneration(stored(undefined, "main"))).toBeUndefined();
    expect(validateGeneration(stored(undefined, "missing"))).toBe(
      'spec.entrypoint template "missing" not found',
    );
  });
});
