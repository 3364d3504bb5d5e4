import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANNOTATION_DEFAULT_CONTAINER, ANNOTATION_INJECTED, REPORT_AUDIENCE } from "../common/names.ts";
import { TOKEN_FILE } from "../common/names.ts";
import { ARTIFACT_GC_COMPONENT, LABEL_COMPONENT } from "../common/artifact-gc.ts";
import { injectPod, skipReason, type InjectionRecord } from "./inject.ts";
import { testInjectConfig } from "./testing/reviews.ts";

function pod(extra: Partial<V1Pod["spec"]> = {}): V1Pod {
  return {
    metadata: { name: "p", labels: { "workflows.argoproj.io/workflow": "wf" } },
    spec: { containers: [{ name: "main", image: "busybox" }], ...extra },
  };
}

describe("injectPod", () => {
  it("when a plain pod is injected, then it gains wait, two volumes and the marker, and the input is untouched", () => {
    const input = pod();
    const before = structuredClone(input);
    const out = injectPod(input, testInjectConfig);
    expect(input).toEqual(before);
    expect(out.spec?.containers.map((c) => c.name)).toEqual(["main", "wait"]);
    expect(out.spec?.volumes?.map((v) => v.name)).toEqual(["onexit-token"]);
    const record = JSON.parse(out.metadata?.annotations?.[ANNOTATION_INJECTED] ?? "") as InjectionRecord;
    expect(record).toEqual({
      containers: ["wait"],
      volumes: ["onexit-token"],
      version: "test",
    });
    expect(out.metadata?.annotations?.[ANNOTATION_DEFAULT_CONTAINER]).toBe("main");
  });

  it("when injected, then the report token has the coordinator's audience and its path is in the env", () => {
    const out = injectPod(pod(), testInjectConfig);
    const token = out.spec?.volumes?.find((v) => v.name === "onexit-token");
    expect(token?.projected?.sources?.[0]?.serviceAccountToken).toEqual({
      audience: REPORT_AUDIENCE,
      expirationSeconds: 3600,
      path: "token",
    });
    const wait = out.spec?.containers.find((c) => c.name === "wait");
    expect(wait?.env?.find((e) => e.name === "ONEXIT_REPORT_TOKEN_FILE")?.value).toBe(TOKEN_FILE);
    expect(wait?.volumeMounts?.find((m) => m.name === "onexit-token")?.mountPath).toBe(
      "/var/run/onexit/token",
    );
    expect(wait?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(wait?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(wait?.args).toEqual(["sidecar"]);
  });

  it("when the pod has the outputs emptyDir, then wait mounts it read-only at /onexit/outputs", () => {
    const out = injectPod(pod({ volumes: [{ name: "onexit-outputs", emptyDir: {} }] }), testInjectConfig);
    const wait = out.spec?.containers.find((c) => c.name === "wait");
    expect(wait?.volumeMounts).toContainEqual({
      name: "onexit-outputs",
      mountPath: "/onexit/outputs",
      readOnly: true,
    });
  });

  it("when the pod has no outputs emptyDir, then wait mounts none", () => {
    const wait = injectPod(pod(), testInjectConfig).spec?.containers.find((c) => c.name === "wait");
    expect(wait?.volumeMounts?.some((m) => m.name === "onexit-outputs")).toBe(false);
  });

  it("when a pod is injected twice, then the second pass changes nothing", () => {
    const once = injectPod(pod(), testInjectConfig);
    expect(skipReason(once)).toBe("already injected");
    expect(injectPod(once, testInjectConfig)).toEqual(once);
  });

  it("when the pod has no main container, then the default-container annotation is not set", () => {
    const out = injectPod({ spec: { containers: [{ name: "step", image: "x" }] } }, testInjectConfig);
    expect(out.metadata?.annotations?.[ANNOTATION_DEFAULT_CONTAINER]).toBeUndefined();
    expect(out.spec?.containers.map((c) => c.name)).toEqual(["step", "wait"]);
  });

  it("when the pod already has a volume with one of onexit's names, then it is left alone", () => {
    const input = pod({ volumes: [{ name: "onexit-token", emptyDir: {} }] });
    expect(skipReason(input)).toMatch(/volume named "onexit-token"/);
    expect(injectPod(input, testInjectConfig)).toEqual(input);
  });

  it("when the pod is the coordinator's artifact GC pod, then no sidecar is added (no step runs in it)", () => {
    const input = pod();
    input.metadata = {
      ...input.metadata,
      labels: { ...input.metadata?.labels, [LABEL_COMPONENT]: ARTIFACT_GC_COMPONENT },
    };
    expect(skipReason(input)).toMatch(/artifact GC pod/);
    expect(injectPod(input, testInjectConfig)).toEqual(input);
  });

  it("when an init container is named wait, then the pod is left alone", () => {
    const input = pod({ initContainers: [{ name: "wait", image: "x" }] });
    expect(skipReason(input)).toMatch(/container named "wait"/);
  });
});
