import { describe, expect, it } from "vitest";
import type { Template, Workflow } from "../workflow.ts";
import { buildPod, outputsLayout, podDeadline } from "./pod-build.ts";

const wf: Workflow = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name: "wf", namespace: "ns", uid: "u1" },
  spec: { entrypoint: "main", templates: [] },
} as Workflow;

function withOutputs(...paths: [string, string][]): Template {
  return {
    name: "gen",
    container: { image: "alpine", command: ["sh", "-c", "true"] },
    outputs: { parameters: paths.map(([name, path]) => ({ name, valueFrom: { path } })) },
  } as Template;
}

function build(template: Template): ReturnType<typeof buildPod> {
  return buildPod({
    wf,
    nodeName: "wf[0].gen",
    nodeID: "wf-1",
    podName: "wf-gen-1",
    template,
    serviceAccountName: undefined,
    onExit: false,
    logTails: undefined,
  });
}

describe("output parameter mounts", () => {
  it("when a step declares file outputs, then each file alone is mounted, never its directory", () => {
    const built = build(withOutputs(["a", "/tmp/x.txt"], ["b", "/app/out.json"], ["c", "/app/more/y"]));
    expect(built.ok && built.value.spec?.containers[0]?.volumeMounts).toEqual([
      { name: "onexit-outputs", mountPath: "/tmp/x.txt", subPath: "p0" },
      { name: "onexit-outputs", mountPath: "/app/out.json", subPath: "p1" },
      { name: "onexit-outputs", mountPath: "/app/more/y", subPath: "p2" },
    ]);
    expect(built.ok && built.value.metadata?.annotations?.["onexit.dev/outputs"]).toBe(
      JSON.stringify([
        { name: "a", path: "p0" },
        { name: "b", path: "p1" },
        { name: "c", path: "p2" },
      ]),
    );
    expect(built.ok && built.value.spec?.volumes).toEqual([{ name: "onexit-outputs", emptyDir: {} }]);
  });

  it("when two parameters read the same file, then it is mounted once and both name it", () => {
    const layout = outputsLayout(withOutputs(["a", "/tmp/x.txt"], ["b", "/tmp/x.txt"]));
    expect(layout).toEqual({
      ok: true,
      value: {
        mounts: [{ name: "onexit-outputs", mountPath: "/tmp/x.txt", subPath: "p0" }],
        files: [
          { name: "a", path: "p0" },
          { name: "b", path: "p0" },
        ],
      },
    });
  });

  it("when a file sits at the root, then it is mounted there like any other", () => {
    const layout = outputsLayout(withOutputs(["a", "/x.txt"]));
    expect(layout.ok && layout.value.mounts).toEqual([
      { name: "onexit-outputs", mountPath: "/x.txt", subPath: "p0" },
    ]);
  });

  it("when the user mounts volumes too, then theirs come first and the output files after", () => {
    const template = withOutputs(["a", "/work/x.txt"]);
    template.container = {
      ...template.container,
      volumeMounts: [{ name: "work", mountPath: "/work" }],
    } as never;
    const built = build(template);
    expect(built.ok && built.value.spec?.containers[0]?.volumeMounts).toEqual([
      { name: "work", mountPath: "/work" },
      { name: "onexit-outputs", mountPath: "/work/x.txt", subPath: "p0" },
    ]);
  });

  it.each(["tmp/x", "/", "/tmp/", "/tmp//x", "/tmp/./x", "/tmp/../etc/passwd"])(
    "when the path is %j, then the step is refused naming the parameter",
    (path) => {
      expect(outputsLayout(withOutputs(["a", path]))).toEqual({
        ok: false,
        error: `outputs.parameters.a.valueFrom.path "${path}" must be an absolute path to a file`,
      });
    },
  );

  it("when no output reads a file, then the pod has no outputs volume, mount or annotation", () => {
    const built = build({ name: "t", container: { image: "alpine" } } as Template);
    expect(built.ok && built.value.spec?.volumes).toBeUndefined();
    expect(built.ok && built.value.spec?.containers[0]?.volumeMounts).toBeUndefined();
    expect(built.ok && built.value.metadata?.annotations?.["onexit.dev/outputs"]).toBeUndefined();
  });
});

describe("pod fields from the workflow", () => {
  const podOf = (spec: Partial<Workflow["spec"]>, template: Partial<Template>): ReturnType<typeof buildPod> =>
    buildPod({
      wf: { ...wf, spec: { ...wf.spec, ...spec } },
      nodeName: "wf",
      nodeID: "wf",
      podName: "wf",
      template: { name: "main", container: { image: "alpine" }, ...template } as Template,
      serviceAccountName: undefined,
      onExit: false,
      logTails: undefined,
    });

  it("when the workflow sets podPriorityClassName, then the pod has it unless its template sets its own", () => {
    const fromSpec = podOf({ podPriorityClassName: "high" }, {});
    expect(fromSpec.ok && fromSpec.value.spec?.priorityClassName).toBe("high");
    const fromTemplate = podOf({ podPriorityClassName: "high" }, { priorityClassName: "low" });
    expect(fromTemplate.ok && fromTemplate.value.spec?.priorityClassName).toBe("low");
    const none = podOf({}, {});
    expect(none.ok && none.value.spec).not.toHaveProperty("priorityClassName");
  });
});

describe("podDeadline", () => {
  const deadline = (value: unknown): ReturnType<typeof podDeadline> =>
    podDeadline({ name: "t", activeDeadlineSeconds: value } as Template);

  it("takes an integer or a (substituted) string of digits, as Argo's IntOrString", () => {
    expect(deadline(30)).toEqual({ ok: true, value: 30 });
    expect(deadline("45")).toEqual({ ok: true, value: 45 });
    expect(deadline(undefined)).toEqual({ ok: true, value: undefined });
    expect(deadline(0)).toEqual({ ok: true, value: undefined });
  });

  it("refuses anything else, naming the value", () => {
    expect(deadline("soon")).toEqual({
      ok: false,
      error: 'activeDeadlineSeconds "soon" is not a non-negative integer',
    });
    expect(deadline(-1).ok).toBe(false);
  });
});
