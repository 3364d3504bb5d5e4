import { describe, expect, it } from "vitest";
import type { Workflow, WorkflowTemplate } from "./engine/index.ts";
import { templatesOf, type TemplateRefLike } from "./workflow-templates.ts";

const wt = (
  name: string,
  spec: WorkflowTemplate["spec"],
  kind: WorkflowTemplate["kind"] = "WorkflowTemplate",
): WorkflowTemplate => ({
  kind,
  metadata: { name, namespace: kind === "WorkflowTemplate" ? "ns" : undefined },
  spec,
});

const workflow: Workflow = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name: "wf", namespace: "ns" },
  spec: { workflowTemplateRef: { name: "outer" }, templates: [] },
};

const outer = wt("outer", {
  entrypoint: "main",
  templates: [
    {
      name: "main",
      steps: [
        [{ name: "s", template: "", templateRef: { name: "inner", template: "x", clusterScope: true } }],
      ],
    },
  ],
});
const inner = wt(
  "inner",
  { templates: [{ name: "x", container: { image: "alpine" } }] },
  "ClusterWorkflowTemplate",
);

describe("templatesOf", () => {
  it("when the caches hold every template, then the API server is not asked", async () => {
    const asked: string[] = [];
    const found = await templatesOf(workflow, {
      cached: (_ns, ref: TemplateRefLike) => (ref.clusterScope ? inner : outer),
      fetch: async (_ns, ref) => {
        asked.push(ref.name);
        return undefined;
      },
    });
    expect(found.map((t) => t.metadata.name)).toEqual(["outer", "inner"]);
    expect(asked).toEqual([]);
  });

  it("when the caches lag behind, then each missing template is fetched, and what it references too", async () => {
    const asked: string[] = [];
    const found = await templatesOf(workflow, {
      cached: () => undefined,
      fetch: async (ns, ref) => {
        asked.push(`${ns}/${ref.name}/${ref.clusterScope}`);
        return ref.clusterScope ? inner : outer;
      },
    });
    expect(found.map((t) => t.metadata.name)).toEqual(["outer", "inner"]);
    expect(asked).toEqual(["ns/outer/false", "ns/inner/true"]);
  });

  it("when the API server does not have it either, then it is left out (the engine reports it)", async () => {
    const found = await templatesOf(workflow, { cached: () => undefined, fetch: async () => undefined });
    expect(found).toEqual([]);
  });
});
