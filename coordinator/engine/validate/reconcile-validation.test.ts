import { describe, expect, it } from "vitest";
import { events, kinds, step, world } from "../testing/world.ts";

const ECHO = "  - {name: echo, container: {image: alpine}}\n";

const cases: { name: string; yaml: string; message: string }[] = [
  {
    name: "a step names a missing template",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: echo}, {name: b, template: nope}]]
${ECHO}`,
    message: 'invalid spec: templates.main.steps[0][1].template "nope" not found',
  },
  {
    name: "the entrypoint is missing",
    yaml: `
spec:
  entrypoint: nope
  templates:
${ECHO}`,
    message: 'invalid spec: spec.entrypoint template "nope" not found',
  },
  {
    name: "the onExit template is missing",
    yaml: `
spec:
  entrypoint: echo
  onExit: bye
  templates:
${ECHO}`,
    message: 'invalid spec: spec.onExit.template "bye" not found',
  },
  {
    name: "a step-level hook names a missing template",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: echo, hooks: {exit: {template: gone}}}]]
${ECHO}`,
    message: 'invalid spec: templates.main.steps[0][0].onExit.template "gone" not found',
  },
  {
    name: "a DAG has a cycle",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo, dependencies: [C]}
      - {name: B, template: echo, dependencies: [A]}
      - {name: C, template: echo, dependencies: [B]}
${ECHO}`,
    message: "invalid spec: templates.main.dag: dependency cycle: A -> C -> B -> A",
  },
  {
    name: "a DAG task depends on an unknown task",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    dag: {tasks: [{name: A, template: echo, depends: "B.Succeeded"}]}
${ECHO}`,
    message: 'invalid spec: templates.main.dag.tasks.A depends on unknown task "B"',
  },
  {
    name: "a variable cannot be resolved",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, args: ["{{inputs.parameters.missing}}"]}
`,
    message: "invalid spec: templates.main: failed to resolve {{inputs.parameters.missing}}",
  },
  {
    name: "a step uses a later step's outputs",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: echo, when: "{{steps.b.status}} == Succeeded"}
    - - {name: b, template: echo}
${ECHO}`,
    message: "invalid spec: templates.main.steps[0][0].when: failed to resolve {{steps.b.status}}",
  },
  {
    name: "a task uses outputs of a task it does not depend on",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: echo}
      - {name: B, template: p, arguments: {parameters: [{name: x, value: "{{tasks.A.outputs.result}}"}]}}
  - name: p
    inputs: {parameters: [{name: x}]}
    container: {image: alpine}
${ECHO}`,
    message:
      "invalid spec: templates.main.dag.tasks.B.arguments: failed to resolve {{tasks.A.outputs.result}}",
  },
  {
    name: "a workflow parameter is not declared",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, args: ["{{workflow.parameters.nope}}"]}
`,
    message: "invalid spec: templates.main: failed to resolve {{workflow.parameters.nope}}",
  },
  {
    name: "an argument is outside its enum",
    yaml: `
spec:
  entrypoint: echo
  arguments: {parameters: [{name: color, value: green, enum: [red, blue]}]}
  templates:
${ECHO}`,
    message: 'invalid spec: spec.arguments.parameters.color value "green" is not one of ["red","blue"]',
  },
  {
    name: "a required input has no value",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: p}]]
  - name: p
    inputs: {parameters: [{name: x}]}
    container: {image: alpine}
`,
    message: 'invalid spec: templates.main.steps[0][0]: inputs.parameters.x of template "p" was not supplied',
  },
  {
    name: "the entrypoint's input is not given by spec.arguments",
    yaml: `
spec:
  entrypoint: p
  templates:
  - name: p
    inputs: {parameters: [{name: x}]}
    container: {image: alpine}
`,
    message: 'invalid spec: spec.entrypoint: inputs.parameters.x of template "p" was not supplied',
  },
  {
    name: "retryStrategy.limit is not a number",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: lots}
    container: {image: alpine}
`,
    message: 'invalid spec: templates.main.retryStrategy.limit "lots" is not a non-negative integer',
  },
  {
    name: "a template has no body",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
`,
    message: "invalid spec: templates.main must define exactly one of container, script, steps, dag, suspend",
  },
  {
    name: "an expression template is used",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, args: ["{{= 1 + 1 }}"]}
`,
    message: "invalid spec: templates.main: expression templates ({{=...}}) are not supported",
  },
  {
    name: "a step's templateRef names a WorkflowTemplate that does not exist",
    yaml: `
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: echo, templateRef: {name: other, template: echo}}]]
${ECHO}`,
    message:
      'invalid spec: templates.main.steps[0][0].templateRef: workflowtemplates.argoproj.io "other" not found',
  },
  {
    name: "a template is of an unsupported type",
    yaml: `
spec:
  entrypoint: main
  templates:
  - {name: main, http: {url: "http://example.com"}}
`,
    message: "invalid spec: spec.templates[0].http: not supported by onexit",
  },
  {
    name: "a suspend duration is not a duration",
    yaml: `
spec:
  entrypoint: main
  templates:
  - {name: main, suspend: {duration: soon}}
`,
    message: 'invalid spec: templates.main.suspend.duration "soon" is not a duration',
  },
  {
    name: "a suspend template declares outputs",
    yaml: `
spec:
  entrypoint: main
  templates:
  - {name: main, suspend: {}, outputs: {parameters: [{name: p, valueFrom: {supplied: {}}}]}}
`,
    message:
      "invalid spec: spec.templates[0].outputs.parameters[0].valueFrom.supplied: not supported by onexit",
  },
  {
    name: "a template's activeDeadlineSeconds is not an integer",
    yaml: `
spec:
  entrypoint: main
  templates:
  - {name: main, activeDeadlineSeconds: soon, container: {image: alpine}}
`,
    message: 'invalid spec: templates.main.activeDeadlineSeconds "soon" is not a non-negative integer',
  },
  {
    name: "refused and unknown fields are used",
    yaml: `
spec:
  entrypoint: main
  synchronization: {mutex: {name: m}}
  podGC: {strategy: OnPodCompletion}
  templates:
  - name: main
    memoize: {key: k, cache: {configMap: {name: c}}}
    steps: [[{name: a, template: echo, inline: {container: {image: alpine}}}]]
  - name: echo
    container: {image: alpine, imagePullPolicy: Never, colour: blue}
    outputs: {artifacts: [{name: a, path: /tmp/a, git: {repo: r}}]}
`,
    message:
      "invalid spec: spec.synchronization: not supported by onexit; " +
      "spec.templates[0].memoize: not supported by onexit; " +
      "spec.templates[0].steps[0][0].inline: not supported by onexit; " +
      "spec.templates[1].container.colour: unknown field (Argo's Workflow has no such field); " +
      "spec.templates[1].outputs.artifacts[0].git: not supported by onexit: artifacts are S3 (the artifact repository), `http` or `raw`",
  },
];

describe("reconcile: invalid workflows", () => {
  for (const c of cases) {
    it(`when ${c.name}, then the workflow errors with a message naming it and no pod is created`, () => {
      const w = world(c.yaml);
      const result = step(w);
      expect(result.status.phase).toBe("Error");
      expect(result.status.message).toBe(c.message);
      expect(result.status.finishedAt).toBeDefined();
      expect(kinds(result.actions)).toEqual(["event"]);
      expect(events(result.actions)).toEqual(["WorkflowError"]);
      expect(step(w).actions).toEqual([]);
    });
  }

  it("when a script uses its own {{braces}}, then they are left as written", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    script: {image: alpine, command: [sh], source: "echo {{ not_argo }}"}
`);
    const result = step(w);
    expect(result.status.phase).toBe("Running");
  });

  it("when the spec is garbage, then reconcile does not throw", () => {
    const w = world(`spec: {entrypoint: 3, templates: "x"}`);
    expect(step(w).status.phase).toBe("Error");
    const v = world(`spec: {entrypoint: main, templates: [{name: main, steps: [[{name: a}]]}]}`);
    expect(step(v).status).toMatchObject({ phase: "Error" });
  });
});
