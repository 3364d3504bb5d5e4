import { describe, expect, it } from "vitest";
import type { Template, Workflow } from "../workflow.ts";
import { buildPod, outputsLayout } from "./pod-build.ts";

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
