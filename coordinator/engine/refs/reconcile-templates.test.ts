import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { WorkflowTemplate } from "../workflow.ts";
import { createdPods, exit, node, podNames, step, succeed, world } from "../testing/world.ts";

function template(kind: WorkflowTemplate["kind"], name: string, text: string, rv = "1"): WorkflowTemplate {
  return { kind, metadata: { name, resourceVersion: rv }, spec: parse(text) as WorkflowTemplate["spec"] };
}

const WITH_HANDLER = template(
  "WorkflowTemplate",
  "with-handler",
  `
entrypoint: main
onExit: report
templates:
- name: main
  container: {image: alpine, command: [sh, -c], args: ["exit 1"]}
- name: report
  container: {image: alpine, args: ["status={{workflow.status}}"]}
`,
);

describe("reconcile: workflowTemplateRef", () => {
  it("when the template's step fails, then the template's exit handler runs and sees workflow.status", () => {
    const w = world(`{spec: {workflowTemplateRef: {name: with-handler}}}`, "wt");
    w.workflowTemplates = [WITH_HANDLER];
    step(w);
    expect(podNames(w)).toEqual(["wt"]);
    exit(w, "wt", 1);
    const second = step(w);
    expect(createdPods(second)[0]?.spec?.containers[0]?.args).toEqual(["status=Failed"]);
    succeed(w, "wt.onExit");
    const last = step(w);
    expect(last.status.phase).toBe("Failed");
    expect(last.status.storedWorkflowTemplateSpec?.onExit).toBe("report");
  });

  it("when the template changes after the workflow started, then the stored spec is what runs", () => {
    const w = world(`{spec: {workflowTemplateRef: {name: with-handler}}}`, "wt");
    w.workflowTemplates = [WITH_HANDLER];
    step(w);
    w.workflowTemplates = [
      template("WorkflowTemplate", "with-handler", `{entrypoint: main, onExit: other, templates: []}`, "2"),
    ];
    exit(w, "wt", 1);
    const second = step(w);
    expect(createdPods(second)[0]?.spec?.containers[0]?.args).toEqual(["status=Failed"]);
  });

  it("when the template does not exist, then the workflow ends in Error naming it and no pod is created", () => {
    const w = world(`{spec: {workflowTemplateRef: {name: with-handler}}}`, "wt");
    const result = step(w);
    expect(result.status.phase).toBe("Error");
    expect(result.status.message).toBe(
      'invalid spec: spec.workflowTemplateRef: workflowtemplates.argoproj.io "with-handler" not found',
    );
    expect(createdPods(result)).toEqual([]);
  });

  it("when the same generation is reconciled with a fixed template, then it is validated again (the memo keys on it)", () => {
    const broken = template(
      "WorkflowTemplate",
      "t",
      `{entrypoint: main, templates: [{name: main, container: {}}]}`,
    );
    const fixed = template(
      "WorkflowTemplate",
      "t",
      `{entrypoint: main, templates: [{name: main, container: {image: alpine}}]}`,
      "2",
    );
    const yaml = `{metadata: {uid: memo-uid, generation: 1}, spec: {workflowTemplateRef: {name: t}}}`;
    const first = world(yaml, "memo");
    first.workflowTemplates = [broken];
    expect(step(first).status.message).toBe("invalid spec: templates.main.container.image is required");
    const second = world(yaml, "memo");
    second.workflowTemplates = [fixed];
    expect(step(second).status.phase).toBe("Running");
  });
});

describe("reconcile: templateRef", () => {
  const SHARED = template(
    "WorkflowTemplate",
    "shared",
    `
templates:
- name: say
  inputs: {parameters: [{name: word}]}
  container: {image: alpine, args: ["{{inputs.parameters.word}}"]}
`,
  );
  const GLOBAL = template(
    "ClusterWorkflowTemplate",
    "global",
    `{templates: [{name: cleanup, container: {image: alpine}}]}`,
  );

  it("when steps reference a namespaced and a cluster template, then their pods and nodes carry the templates' own names", () => {
    const w = world(
      `
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: hello
        templateRef: {name: shared, template: say}
        arguments: {parameters: [{name: word, value: hi}]}
        hooks: {exit: {templateRef: {name: global, template: cleanup, clusterScope: true}}}
`,
      "ref",
    );
    w.workflowTemplates = [SHARED, GLOBAL];
    const first = step(w);
    const pod = createdPods(first)[0];
    expect(pod?.metadata?.name).toMatch(/^ref-say-\d+$/);
    expect(pod?.spec?.containers[0]?.args).toEqual(["hi"]);
    expect(node(w, "ref[0].hello")).toMatchObject({
      templateName: "say",
      templateRef: { name: "shared", template: "say" },
    });
    succeed(w, "ref[0].hello");
    step(w);
    expect(node(w, "ref[0].hello.onExit")).toMatchObject({
      templateName: "cleanup",
      templateRef: { name: "global", template: "cleanup", clusterScope: true },
    });
    expect(podNames(w)[1]).toMatch(/^ref-cleanup-\d+$/);
    expect(w.last?.status.storedTemplates).toHaveProperty("cluster/global/cleanup");
  });

  it("when the referenced WorkflowTemplate is missing, then the workflow ends in Error naming it", () => {
    const w = world(
      `{spec: {entrypoint: main, templates: [{name: main, dag: {tasks: [{name: t, templateRef: {name: nope, template: x}}]}}]}}`,
    );
    const result = step(w);
    expect(result.status.phase).toBe("Error");
    expect(result.status.message).toBe(
      'invalid spec: templates.main.dag.tasks.t.templateRef: workflowtemplates.argoproj.io "nope" not found',
    );
  });
});
