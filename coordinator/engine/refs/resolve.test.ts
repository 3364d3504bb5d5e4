import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Workflow, WorkflowTemplate } from "../workflow.ts";
import { workflowFrom } from "../testing/world.ts";
import { referencedTemplates, resolveReferences } from "./resolve.ts";

function holder(kind: WorkflowTemplate["kind"], name: string, text: string, rv = "1"): WorkflowTemplate {
  return { kind, metadata: { name, resourceVersion: rv }, spec: parse(text) as WorkflowTemplate["spec"] };
}

const SHARED = holder(
  "WorkflowTemplate",
  "shared",
  `
templates:
- name: greet
  steps:
  - - {name: say, template: echo}
- name: echo
  container: {image: alpine, args: [shared]}
`,
);
const GLOBAL = holder(
  "ClusterWorkflowTemplate",
  "global",
  `
templates:
- name: echo
  container: {image: alpine, args: [global]}
`,
);

const CALLER = `
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, templateRef: {name: shared, template: greet}}
      - {name: b, templateRef: {name: global, template: echo, clusterScope: true}}
  - name: echo
    container: {image: alpine, args: [own]}
`;

function resolved(wf: Workflow, templates: WorkflowTemplate[]): Workflow {
  const result = resolveReferences(wf, templates);
  if (!result.ok) throw new Error(result.error);
  return result.value.workflow;
}

describe("resolveReferences: templateRef", () => {
  it("when steps reference a namespaced and a cluster template, then both are inlined under Argo's stored keys", () => {
    const wf = resolved(workflowFrom(CALLER), [SHARED, GLOBAL]);
    expect(wf.spec.templates.map((t) => t.name)).toEqual([
      "main",
      "echo",
      "namespaced/shared/greet",
      "cluster/global/echo",
      "namespaced/shared/echo",
    ]);
    expect(wf.spec.templates[0]?.steps?.[0]?.map((s) => s.template)).toEqual([
      "namespaced/shared/greet",
      "cluster/global/echo",
    ]);
    expect(wf.spec.templates[0]?.steps?.[0]?.[0]).not.toHaveProperty("templateRef");
  });

  it("when a referenced template names another by `template`, then it is the one of its own WorkflowTemplate", () => {
    const wf = resolved(workflowFrom(CALLER), [SHARED, GLOBAL]);
    const greet = wf.spec.templates.find((t) => t.name === "namespaced/shared/greet");
    expect(greet?.steps?.[0]?.[0]?.template).toBe("namespaced/shared/echo");
    const echo = wf.spec.templates.find((t) => t.name === "namespaced/shared/echo");
    expect(echo?.container?.args).toEqual(["shared"]);
  });

  it("when resolved, then the status stores each referenced template as written in its WorkflowTemplate", () => {
    const result = resolveReferences(workflowFrom(CALLER), [SHARED, GLOBAL]);
    expect(result.ok && Object.keys(result.value.stored.storedTemplates ?? {})).toEqual([
      "namespaced/shared/greet",
      "cluster/global/echo",
      "namespaced/shared/echo",
    ]);
    expect(result.ok && result.value.stored.storedTemplates?.["namespaced/shared/greet"]).toEqual(
      SHARED.spec.templates?.[0],
    );
  });

  it("when the status stores the templates, then they are used and the WorkflowTemplates are not needed", () => {
    const first = resolveReferences(workflowFrom(CALLER), [SHARED, GLOBAL]);
    if (!first.ok) throw new Error(first.error);
    const wf = { ...workflowFrom(CALLER), status: { ...first.value.stored } };
    const changed = holder("WorkflowTemplate", "shared", "templates: []", "2");
    const again = resolveReferences(wf, [changed]);
    expect(again.ok && again.value.workflow.spec.templates).toEqual(first.value.workflow.spec.templates);
    expect(again.ok && again.value.sourcesKey).toBe("");
  });

  it("when the WorkflowTemplate is missing, then the error names the reference and the object", () => {
    expect(resolveReferences(workflowFrom(CALLER), [GLOBAL])).toEqual({
      ok: false,
      error: 'templates.main.steps[0][0].templateRef: workflowtemplates.argoproj.io "shared" not found',
    });
    expect(resolveReferences(workflowFrom(CALLER), [SHARED])).toEqual({
      ok: false,
      error:
        'templates.main.steps[0][1].templateRef: clusterworkflowtemplates.argoproj.io "global" not found',
    });
  });

  it("when the template is missing from its WorkflowTemplate, then the error names both", () => {
    const wf = workflowFrom(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: t, templateRef: {name: shared, template: nope}}
`);
    expect(resolveReferences(wf, [SHARED])).toEqual({
      ok: false,
      error:
        'templates.main.dag.tasks.t.templateRef: template "nope" not found in workflowtemplates.argoproj.io "shared"',
    });
  });

  it("when a referenced template calls itself, then it is inlined once (recursion, bounded when it runs)", () => {
    const loop = holder(
      "WorkflowTemplate",
      "loop",
      `
templates:
- name: again
  steps:
  - - {name: more, templateRef: {name: loop, template: again}}
`,
    );
    const wf = resolved(
      workflowFrom(
        `{spec: {entrypoint: main, templates: [{name: main, steps: [[{name: go, templateRef: {name: loop, template: again}}]]}]}}`,
      ),
      [loop],
    );
    expect(wf.spec.templates.map((t) => t.name)).toEqual(["main", "namespaced/loop/again"]);
  });

  it("when hooks and onExit are in a referenced template or reference one, then they resolve the same way", () => {
    const hooked = holder(
      "WorkflowTemplate",
      "hooked",
      `
templates:
- name: main
  steps:
  - - {name: s, template: work, onExit: cleanup, hooks: {exit: {template: cleanup}}}
- {name: work, container: {image: alpine}}
- {name: cleanup, container: {image: alpine}}
`,
    );
    const wf = resolved(
      workflowFrom(`
spec:
  entrypoint: main
  hooks: {exit: {templateRef: {name: hooked, template: cleanup}}}
  templates:
  - {name: main, steps: [[{name: go, templateRef: {name: hooked, template: main}}]]}
`),
      [hooked],
    );
    expect(wf.spec.hooks).toEqual({ exit: { template: "namespaced/hooked/cleanup" } });
    const main = wf.spec.templates.find((t) => t.name === "namespaced/hooked/main");
    expect(main?.steps?.[0]?.[0]).toMatchObject({
      template: "namespaced/hooked/work",
      onExit: "namespaced/hooked/cleanup",
      hooks: { exit: { template: "namespaced/hooked/cleanup" } },
    });
  });

  it("when the workflow names its own template with a '/', then it is refused (the keys' namespace)", () => {
    const wf = workflowFrom(`{spec: {entrypoint: a/b, templates: [{name: a/b, container: {image: x}}]}}`);
    expect(resolveReferences(wf, [])).toEqual({
      ok: false,
      error: 'templates.a/b: a template name cannot contain "/"',
    });
  });
});

describe("resolveReferences: workflowTemplateRef", () => {
  const WHOLE = holder(
    "WorkflowTemplate",
    "whole",
    `
entrypoint: main
onExit: bye
arguments: {parameters: [{name: who, value: template}]}
templates:
- {name: main, steps: [[{name: s, templateRef: {name: global, template: echo, clusterScope: true}}]]}
- {name: bye, container: {image: alpine, args: ["{{workflow.status}}"]}}
`,
  );

  it("when the workflow references a whole template, then its merged spec runs and is stored", () => {
    const wf = workflowFrom(`
spec:
  workflowTemplateRef: {name: whole}
  arguments: {parameters: [{name: who, value: me}]}
`);
    const result = resolveReferences(wf, [WHOLE, GLOBAL]);
    if (!result.ok) throw new Error(result.error);
    const spec = result.value.workflow.spec;
    expect(spec.entrypoint).toBe("main");
    expect(spec.onExit).toBe("bye");
    expect(spec.arguments).toEqual({ parameters: [{ name: "who", value: "me" }] });
    expect(spec.templates.map((t) => t.name)).toEqual(["main", "bye", "cluster/global/echo"]);
    expect(result.value.stored.storedWorkflowTemplateSpec?.templates.map((t) => t.name)).toEqual([
      "main",
      "bye",
    ]);
    expect(result.value.sourcesKey).toBe("cluster/global@1,namespaced/whole@1");
  });

  it("when the stored spec exists, then a later shutdown still reaches the workflow", () => {
    const wf = workflowFrom(`{spec: {workflowTemplateRef: {name: whole}}}`);
    const first = resolveReferences(wf, [WHOLE, GLOBAL]);
    if (!first.ok) throw new Error(first.error);
    const later = { ...wf, spec: { ...wf.spec, shutdown: "Stop" as const }, status: first.value.stored };
    const again = resolveReferences(later, []);
    expect(again.ok && again.value.workflow.spec.shutdown).toBe("Stop");
    expect(again.ok && again.value.workflow.spec.entrypoint).toBe("main");
  });

  it("when the template is missing, then the error names it as the API server does", () => {
    const wf = workflowFrom(`{spec: {workflowTemplateRef: {name: gone, clusterScope: true}}}`);
    expect(resolveReferences(wf, [])).toEqual({
      ok: false,
      error: 'spec.workflowTemplateRef: clusterworkflowtemplates.argoproj.io "gone" not found',
    });
  });

  it("when the template has a workflowTemplateRef itself, then it is refused, not silently dropped", () => {
    const chained = holder("WorkflowTemplate", "chained", `workflowTemplateRef: {name: whole}`);
    const wf = workflowFrom(`{spec: {workflowTemplateRef: {name: chained}}}`);
    const result = resolveReferences(wf, [chained, WHOLE]);
    expect(result.ok ? "" : result.error).toMatch(
      /^spec.workflowTemplateRef: workflowtemplates.argoproj.io "chained" has a workflowTemplateRef itself/,
    );
  });
});

describe("referencedTemplates", () => {
  it("when the runtime looks up what a workflow references, then it gets the whole closure from its caches", () => {
    const wf = workflowFrom(`{spec: {workflowTemplateRef: {name: whole}}}`);
    const whole = holder(
      "WorkflowTemplate",
      "whole",
      `{templates: [{name: main, steps: [[{name: s, templateRef: {name: shared, template: greet}}]]}]}`,
    );
    const all = [whole, SHARED, GLOBAL];
    const found = referencedTemplates(wf, ({ name, clusterScope }) =>
      all.find((t) => t.metadata.name === name && (t.kind === "ClusterWorkflowTemplate") === clusterScope),
    );
    expect(found.map((t) => t.metadata.name)).toEqual(["whole", "shared"]);
  });
});

describe("resolveReferences: what Argo refuses with workflowTemplateRef", () => {
  it("when the workflow has templates of its own too, then it is refused with Argo's message", () => {
    const wf = workflowFrom(
      `{spec: {workflowTemplateRef: {name: any}, templates: [{name: a, container: {image: x}}]}}`,
    );
    expect(resolveReferences(wf, [])).toEqual({
      ok: false,
      error:
        "spec.templates: Templates is invalid field in spec if workflow referred WorkflowTemplate reference",
    });
  });
});

describe("resolveReferences: a WorkflowTemplate's podMetadata", () => {
  it("when the WorkflowTemplate has podMetadata, then its referenced templates carry it under their own (Argo's addPodMetadata)", () => {
    const labelled = holder(
      "WorkflowTemplate",
      "labelled",
      `
podMetadata: {labels: {team: a, tier: wt}, annotations: {note: wt}}
templates:
- {name: t, metadata: {labels: {tier: own}}, container: {image: alpine}}
`,
    );
    const wf = resolved(
      workflowFrom(
        `{spec: {entrypoint: main, templates: [{name: main, steps: [[{name: s, templateRef: {name: labelled, template: t}}]]}]}}`,
      ),
      [labelled],
    );
    expect(wf.spec.templates[1]?.metadata).toEqual({
      labels: { team: "a", tier: "own" },
      annotations: { note: "wt" },
    });
  });
});
