import { describe, expect, it } from "vitest";
import { refusedFields } from "./fields-check.ts";
import { KINDS, NOT_SUPPORTED, UNKNOWN_FIELD } from "./fields.ts";

const ECHO = { name: "echo", container: { image: "alpine" } };

describe("refusedFields", () => {
  it("accepts a workflow of supported and ignored fields", () => {
    const spec = {
      entrypoint: "main",
      podGC: { strategy: "OnPodSuccess" },
      ttlStrategy: { secondsAfterCompletion: 10 },
      hooks: { exit: { template: "echo" } },
      templates: [
        { name: "main", dag: { target: "A", tasks: [{ name: "A", template: "echo", depends: "" }] } },
        { ...ECHO, inputs: { parameters: [{ name: "p", value: "1", description: "d" }] } },
      ],
    };
    expect(refusedFields({ spec })).toEqual([]);
  });

  it("names every refused field with its path, not just the first", () => {
    const spec = {
      synchronization: { mutex: { name: "m" } },
      volumeClaimTemplates: [],
      templates: [ECHO, { name: "d", daemon: true, sidecars: [], container: { image: "x" } }],
    };
    expect(refusedFields({ spec })).toEqual([
      `spec.synchronization: ${NOT_SUPPORTED}`,
      `spec.templates[1].daemon: ${NOT_SUPPORTED}`,
      `spec.templates[1].sidecars: ${NOT_SUPPORTED}`,
      `spec.volumeClaimTemplates: ${NOT_SUPPORTED}`,
    ]);
  });

  it("walks steps, tasks, hooks, parameters and valueFrom", () => {
    const spec = {
      hooks: { running: { template: "echo" } },
      templates: [
        { name: "s", steps: [[{ name: "a", template: "echo" }], [{ name: "b", template: "echo", x: 1 }]] },
        {
          name: "d",
          dag: {
            tasks: [
              {
                name: "A",
                template: "echo",
                hooks: { exit: { template: "echo", expression: "true" } },
                arguments: { parameters: [{ name: "p", valueFrom: { configMapKeyRef: { name: "c" } } }] },
              },
            ],
          },
        },
      ],
    };
    expect(refusedFields({ spec })).toEqual([
      "spec.hooks.running: lifecycle hooks other than exit are not supported by onexit",
      `spec.templates[0].steps[1][0].x: ${UNKNOWN_FIELD}`,
      `spec.templates[1].dag.tasks[0].arguments.parameters[0].valueFrom.configMapKeyRef: ${NOT_SUPPORTED}`,
      `spec.templates[1].dag.tasks[0].hooks.exit.expression: ${NOT_SUPPORTED}`,
    ]);
  });

  it("reads a field written as null as not set, and skips what is not an object", () => {
    expect(
      refusedFields({
        spec: { synchronization: null, templates: [null, "x", { name: "a", memoize: null }] },
      }),
    ).toEqual([]);
    expect(refusedFields("garbage")).toEqual([]);
  });

  it("refuses a field beside the spec that Argo's Workflow does not have", () => {
    const workflow = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: {},
      spec: {},
      status: {},
      extra: 1,
    };
    expect(refusedFields(workflow)).toEqual([`extra: ${UNKNOWN_FIELD}`]);
  });

  it("does not take an inherited name for a field", () => {
    expect(refusedFields({ spec: { constructor: 1, toString: 2 } })).toEqual([
      `spec.constructor: ${UNKNOWN_FIELD}`,
      `spec.toString: ${UNKNOWN_FIELD}`,
    ]);
  });
});

describe("the field table", () => {
  it("gives every refused or ignored field a reason, and nests only into known kinds", () => {
    for (const [kindName, kind] of Object.entries(KINDS)) {
      for (const [name, field] of Object.entries(kind)) {
        const where = `${kindName}.${name}`;
        if (field.support !== "supported") expect(field.reason, where).not.toBe("");
        if (field.support === "supported" && field.nested !== undefined)
          expect(Object.keys(KINDS), where).toContain(field.nested.kind);
      }
    }
  });

  it("refuses what is out of scope and supports what the templates and suspend work adds", () => {
    const { WorkflowSpec: spec, Template: template, WorkflowStep: step } = KINDS;
    for (const name of ["synchronization", "volumeClaimTemplates", "templateDefaults", "podSpecPatch"])
      expect(spec[name]?.support, name).toBe("refused");
    for (const name of [
      "containerSet",
      "resource",
      "daemon",
      "sidecars",
      "initContainers",
      "memoize",
      "metrics",
    ])
      expect(template[name]?.support, name).toBe("refused");
    expect(spec["podGC"]?.support).toBe("ignored");
    expect(spec["ttlStrategy"]?.support).toBe("ignored");
    expect(spec["workflowTemplateRef"]?.support).toBe("supported");
    expect(spec["suspend"]?.support).toBe("supported");
    expect(template["suspend"]?.support).toBe("supported");
    expect(step["templateRef"]?.support).toBe("supported");
  });
});
