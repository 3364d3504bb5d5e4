import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { buildEnv, envReferences, expandVars, type EnvInput } from "./env.ts";
import { fieldRefValue, formatMap } from "./field-ref.ts";

const pod: V1Pod = {
  metadata: {
    name: "p",
    namespace: "ns",
    uid: "u-1",
    annotations: { "a/b": 'x"y', c: "d" },
    labels: { app: "web" },
  },
  spec: { containers: [], nodeName: "n1", serviceAccountName: "sa" },
};
const facts = { podIP: "10.250.1.2", hostIP: "10.250.0.1", nodeName: "n1" };

function input(container: V1Container, extra: Partial<EnvInput> = {}): EnvInput {
  return {
    pod,
    container,
    facts,
    objects: {
      configMaps: new Map([["cm", { k: "cv" }]]),
      secrets: new Map([
        ["s", { k: "sv" }],
        ["gone", null],
      ]),
    },
    hostPath: "/usr/bin:/bin",
    kubernetesService: { host: "10.96.0.1", port: "443" },
    ...extra,
  };
}

describe("buildEnv", () => {
  it("when env uses values, fieldRefs and key refs, then all are resolved", () => {
    const result = buildEnv(
      input({
        name: "c",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "$(A)-$$(A)" },
          { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "ANN", valueFrom: { fieldRef: { fieldPath: "metadata.annotations['a/b']" } } },
          { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "SA", valueFrom: { fieldRef: { fieldPath: "spec.serviceAccountName" } } },
          { name: "CM", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } },
          { name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
          { name: "OPT", valueFrom: { secretKeyRef: { name: "gone", key: "k", optional: true } } },
        ],
      }),
    );
    expect(result.ok).toBe(true);
    const env = result.ok ? result.env : {};
    expect(env).toMatchObject({
      A: "1",
      B: "1-$(A)",
      NAME: "p",
      ANN: 'x"y',
      IP: "10.250.1.2",
      SA: "sa",
      CM: "cv",
      S: "sv",
    });
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      HOSTNAME: "p",
      PATH: "/usr/bin:/bin",
    });
    expect(env).not.toHaveProperty("OPT");
  });

  it("when a required secret is missing, then the result says which", () => {
    const result = buildEnv(
      input({ name: "c", env: [{ name: "S", valueFrom: { secretKeyRef: { name: "gone", key: "k" } } }] }),
    );
    expect(result).toEqual({ ok: false, message: 'secret "gone" not found' });
  });

  it("when envFrom names a configmap with a prefix, then its keys are prefixed", () => {
    const result = buildEnv(input({ name: "c", envFrom: [{ configMapRef: { name: "cm" }, prefix: "P_" }] }));
    expect(result.ok && result.env["P_k"]).toBe("cv");
  });
});

describe("envReferences", () => {
  it("when env and envFrom refer to objects, then each name is listed once", () => {
    const refs = envReferences({
      name: "c",
      env: [{ name: "a", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }],
      envFrom: [{ configMapRef: { name: "cm" } }, { secretRef: { name: "s" } }],
    });
    expect(refs).toEqual({ configMaps: ["cm"], secrets: ["s"] });
  });
});

describe("expandVars", () => {
  it("when a reference is unknown, then it stays as written", () => {
    expect(expandVars("$(X) $(Y)", { X: "x" })).toBe("x $(Y)");
  });
});

describe("fieldRefValue", () => {
  it("when the path is metadata.annotations, then the map is formatted like the kubelet does", () => {
    expect(fieldRefValue(pod, "metadata.annotations", facts)).toBe('a/b="x\\"y"\nc="d"');
    expect(formatMap(undefined)).toBe("");
  });

  it("when the path is unknown, then it is undefined", () => {
    expect(fieldRefValue(pod, "spec.nope", facts)).toBeUndefined();
  });
});
