import { describe, expect, it } from "vitest";
import { nodeId } from "../../../common/names.ts";
import { createdPods, exit, node, step, succeed, world } from "../testing/world.ts";

describe("reconcile: inputs, outputs and pods", () => {
  it("when a step writes an output parameter, then a later step receives it and the template exports it", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: use
        arguments: {parameters: [{name: x, value: "{{steps.gen.outputs.parameters.out}} {{steps.gen.outputs.result}} {{steps.gen.exitCode}}"}]}
    outputs:
      parameters:
      - name: final
        globalName: final
        valueFrom: {parameter: "{{steps.gen.outputs.parameters.out}}"}
  - name: gen
    container: {image: alpine}
    outputs:
      parameters:
      - name: out
        globalName: genout
        valueFrom: {path: /tmp/out.txt}
  - name: use
    inputs: {parameters: [{name: x}]}
    container: {image: alpine, args: ["{{inputs.parameters.x}} {{workflow.outputs.parameters.genout}}"]}
`);
    const first = step(w);
    const genPod = createdPods(first)[0];
    expect(genPod?.metadata?.annotations?.["onexit.dev/outputs"]).toBe(
      JSON.stringify([{ name: "out", path: "p0" }]),
    );
    expect(genPod?.spec?.containers[0]?.volumeMounts).toEqual([
      { name: "onexit-outputs", mountPath: "/tmp/out.txt", subPath: "p0" },
    ]);
    expect(genPod?.spec?.volumes).toEqual([{ name: "onexit-outputs", emptyDir: {} }]);
    exit(w, "wf[0].gen", 0, { outputs: { out: "hello" }, log: "line\n" });
    const second = step(w);
    expect(node(w, "wf[0].gen").outputs).toEqual({
      parameters: [{ name: "out", value: "hello" }],
      result: "line",
      exitCode: "0",
    });
    expect(createdPods(second)[0]?.spec?.containers[0]?.args).toEqual(["hello line 0 hello"]);
    expect(node(w, "wf[1].use").inputs).toEqual({ parameters: [{ name: "x", value: "hello line 0" }] });
    succeed(w, "wf[1].use");
    const done = step(w);
    expect(done.status.outputs).toEqual({
      parameters: [
        { name: "genout", value: "hello" },
        { name: "final", value: "hello" },
      ],
    });
    expect(node(w, "wf").outputs).toEqual({ parameters: [{ name: "final", value: "hello" }] });
  });

  it("when the log was longer than the report's tail, then outputs.result is not set", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - {name: main, container: {image: alpine}}
`);
    step(w);
    exit(w, "wf", 0, { log: "tail\n", logBytes: 100_000 });
    step(w);
    expect(node(w, "wf").outputs).toEqual({ exitCode: "0" });
    expect(node(w, "wf").logBytes).toBe(100_000);
  });

  it("when a report misses a declared output with no default, then the step errors", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
`);
    step(w);
    succeed(w, "wf");
    step(w);
    expect(node(w, "wf")).toMatchObject({
      phase: "Error",
      message: expect.stringContaining("output parameter p: /tmp/p:"),
    });
  });

  it("when the entrypoint is a script, then the source rides in an annotation mounted by the downward API", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    script:
      image: python:3
      command: [python]
      source: |
        print("hi {{workflow.name}}")
`);
    const pod = createdPods(step(w))[0];
    expect(pod?.metadata?.name).toBe("wf");
    expect(pod?.metadata?.annotations?.["onexit.dev/script"]).toBe('print("hi wf")\n');
    expect(pod?.spec?.containers[0]).toMatchObject({
      name: "main",
      image: "python:3",
      command: ["python", "/onexit/script/source"],
    });
    expect(pod?.spec?.containers[0]).not.toHaveProperty("source");
    expect(pod?.spec?.containers[0]?.volumeMounts).toEqual([
      { name: "onexit-script", mountPath: "/onexit/script", readOnly: true },
    ]);
    expect(pod?.spec?.volumes).toEqual([
      {
        name: "onexit-script",
        downwardAPI: {
          defaultMode: 0o755,
          items: [{ path: "source", fieldRef: { fieldPath: "metadata.annotations['onexit.dev/script']" } }],
        },
      },
    ]);
  });

  it("when building a pod, then it carries Argo's names, labels, annotations, owner and service account", () => {
    const w = world(`
spec:
  entrypoint: main
  serviceAccountName: wf-sa
  podMetadata: {labels: {team: a}, annotations: {note: x}}
  volumes: [{name: data, emptyDir: {}}]
  templates:
  - name: main
    steps: [[{name: a, template: echo}, {name: b, template: other}]]
  - name: echo
    metadata: {labels: {tier: t}}
    container: {image: alpine, command: [echo], args: ["{{pod.name}}"], volumeMounts: [{name: data, mountPath: /data}]}
  - name: other
    serviceAccountName: own-sa
    container: {image: alpine}
`);
    const [a, b] = createdPods(step(w));
    expect(a?.metadata).toMatchObject({
      namespace: "default",
      labels: { "workflows.argoproj.io/workflow": "wf", team: "a", tier: "t" },
      annotations: {
        note: "x",
        "workflows.argoproj.io/node-name": "wf[0].a",
        "workflows.argoproj.io/node-id": nodeId("wf", "wf[0].a"),
        "kubectl.kubernetes.io/default-container": "main",
      },
      ownerReferences: [
        {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Workflow",
          name: "wf",
          uid: "uid-1",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(a?.metadata?.labels).not.toHaveProperty("workflows.argoproj.io/on-exit");
    expect(a?.spec).toMatchObject({
      restartPolicy: "Never",
      serviceAccountName: "wf-sa",
      volumes: [{ name: "data", emptyDir: {} }],
    });
    expect(a?.spec?.containers[0]?.args).toEqual([a?.metadata?.name]);
    expect(b?.spec?.serviceAccountName).toBe("own-sa");
  });

  it("when a template uses its inputs with defaults and enums, then the values are substituted", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: color, value: red, enum: [red, blue]}]}
  templates:
  - name: main
    inputs:
      parameters:
      - {name: color}
      - {name: size, default: "10"}
    container: {image: alpine, args: ["{{inputs.parameters.color}}/{{inputs.parameters.size}}/{{workflow.parameters.color}}"]}
`);
    expect(createdPods(step(w))[0]?.spec?.containers[0]?.args).toEqual(["red/10/red"]);
    expect(node(w, "wf").inputs).toEqual({
      parameters: [
        { name: "color", value: "red" },
        { name: "size", value: "10" },
      ],
    });
  });

  it("when a step passes a value outside the enum at run time, then the step errors", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - {name: use, template: use, arguments: {parameters: [{name: c, value: "{{steps.gen.outputs.parameters.p}}"}]}}
  - name: gen
    container: {image: alpine}
    outputs: {parameters: [{name: p, valueFrom: {path: /tmp/p}}]}
  - name: use
    inputs: {parameters: [{name: c, enum: [a, b]}]}
    container: {image: alpine}
`);
    step(w);
    exit(w, "wf[0].gen", 0, { outputs: { p: "zzz" } });
    const result = step(w);
    expect(node(w, "wf[1].use")).toMatchObject({ phase: "Error" });
    expect(node(w, "wf[1].use").message).toContain('"zzz"');
    expect(result.status.phase).toBe("Failed");
  });
});

describe("reconcile: an output file main did not write", () => {
  const spec = (defaultValue: string): string => `
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
  - name: gen
    container: {image: alpine}
    outputs:
      parameters:
      - name: out
        valueFrom: {path: /tmp/out.txt${defaultValue}}
`;

  it("when the parameter has no default, then the step errors naming the parameter and the path", () => {
    const w = world(spec(""));
    step(w);
    exit(w, "wf[0].gen", 0, { outputs: {} });
    step(w);
    expect(node(w, "wf[0].gen").phase).toBe("Error");
    expect(node(w, "wf[0].gen").message).toBe(
      "output parameter out: /tmp/out.txt: no such file or directory (or not readable: see the wait container's log)",
    );
    step(w);
    expect(w.workflow.status?.phase).toBe("Failed");
    expect(w.workflow.status?.message).toBe(node(w, "wf[0].gen").message);
  });

  it("when the parameter has a default, then the step succeeds with the default as its value", () => {
    const w = world(spec(", default: fallback"));
    step(w);
    exit(w, "wf[0].gen", 0, { outputs: {} });
    step(w);
    expect(node(w, "wf[0].gen").phase).toBe("Succeeded");
    expect(node(w, "wf[0].gen").outputs?.parameters).toEqual([{ name: "out", value: "fallback" }]);
  });

  it("when main failed as well, then its own failure is the message", () => {
    const w = world(spec(""));
    step(w);
    exit(w, "wf[0].gen", 3, { outputs: {} });
    step(w);
    expect(node(w, "wf[0].gen").phase).toBe("Failed");
    expect(node(w, "wf[0].gen").message).toBe("Error (exit code 3)");
  });
});
