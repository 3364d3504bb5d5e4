import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANNOTATION_INJECTED } from "../common/names.ts";
import { injectPod } from "./inject.ts";
import { addOutputPlaceholders, placeholderFiles, placeholderIdentity } from "./output-placeholders.ts";
import { testInjectConfig } from "./testing/reviews.ts";

function stepPod(
  files: { name: string; path: string }[],
  mounts: { mountPath: string; subPath: string }[],
): V1Pod {
  return {
    metadata: {
      name: "p",
      labels: { "workflows.argoproj.io/workflow": "wf" },
      annotations: { "onexit.dev/outputs": JSON.stringify(files) },
    },
    spec: {
      containers: [
        {
          name: "main",
          image: "busybox",
          volumeMounts: mounts.map((m) => ({ name: "onexit-outputs", ...m })),
        },
      ],
      volumes: [{ name: "onexit-outputs", emptyDir: {} }],
    },
  };
}

const twoFiles = stepPod(
  [
    { name: "a", path: "p0" },
    { name: "b", path: "p1" },
    { name: "c", path: "p1" },
  ],
  [
    { mountPath: "/tmp/x.txt", subPath: "p0" },
    { mountPath: "/app/out.json", subPath: "p1" },
  ],
);

describe("output placeholders in the webhook", () => {
  it("when main mounts output files, then onexit-init creates each once, from the onexit image", () => {
    const out = injectPod(twoFiles, testInjectConfig);
    const init = out.spec?.initContainers?.[0];
    expect(out.spec?.initContainers?.map((c) => c.name)).toEqual(["onexit-init"]);
    expect(init?.image).toBe(testInjectConfig.image);
    expect(init?.args).toEqual(["output-placeholders", "/onexit/outputs/p0", "/onexit/outputs/p1"]);
    expect(init?.volumeMounts).toEqual([{ name: "onexit-outputs", mountPath: "/onexit/outputs" }]);
    expect(init?.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    const record = JSON.parse(out.metadata?.annotations?.[ANNOTATION_INJECTED] ?? "{}") as {
      containers: string[];
    };
    expect(record.containers).toEqual(["onexit-init", "wait"]);
  });

  it("when the pod has its own init containers, then onexit-init runs first", () => {
    const pod = structuredClone(twoFiles);
    pod.spec!.initContainers = [{ name: "setup", image: "busybox" }];
    expect(addOutputPlaceholders(pod, testInjectConfig)).toEqual(["onexit-init"]);
    expect(pod.spec?.initContainers?.map((c) => c.name)).toEqual(["onexit-init", "setup"]);
  });

  it("when the pod declares no output file, then no init container is added", () => {
    const out = injectPod(stepPod([], []), testInjectConfig);
    expect(out.spec?.initContainers).toBeUndefined();
  });

  it("when an older coordinator mounted directories (files below a subPath), then nothing is created", () => {
    const old = stepPod([{ name: "a", path: "d0/x.txt" }], [{ mountPath: "/tmp", subPath: "d0" }]);
    expect(placeholderFiles(old)).toEqual([]);
  });

  it("when the annotation is not JSON, then nothing is created", () => {
    const pod = structuredClone(twoFiles);
    pod.metadata!.annotations!["onexit.dev/outputs"] = "{";
    expect(placeholderFiles(pod)).toEqual([]);
  });
});

describe("placeholderIdentity", () => {
  const sidecar = testInjectConfig.securityContext;

  it("when main's user is set, then the files are created as that user", () => {
    expect(
      placeholderIdentity({ name: "main", securityContext: { runAsUser: 1000 } }, { runAsGroup: 5 }, sidecar),
    ).toEqual({
      runAsUser: 1000,
      runAsGroup: 5,
    });
  });

  it("when only the pod sets the user, then that user is taken", () => {
    expect(placeholderIdentity({ name: "main" }, { runAsUser: 7 }, sidecar)).toEqual({ runAsUser: 7 });
  });

  it("when main runs as its image's user and may be root, then the files are root's", () => {
    expect(placeholderIdentity({ name: "main" }, undefined, sidecar)).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
    });
  });

  it("when main must not be root and its user is the image's, then the sidecar's user creates them", () => {
    expect(placeholderIdentity({ name: "main" }, { runAsNonRoot: true }, sidecar)).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
    });
  });
});
