import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  configMapData,
  secretData,
  volumeFiles,
  volumeReferences,
  type VolumeObjects,
} from "./volume-files.ts";

const pod: V1Pod = {
  metadata: { name: "p", namespace: "ns", uid: "u", annotations: { "onexit.dev/script": "echo hi" } },
  spec: { containers: [] },
};
const facts = { podIP: "10.250.1.2", hostIP: "10.250.0.1", nodeName: "n" };
const objects: VolumeObjects = {
  configMaps: new Map([["kube-root-ca.crt", configMapData({ data: { "ca.crt": "CA" } })]]),
  secrets: new Map([
    ["s", secretData({ data: { k: Buffer.from("secret").toString("base64") } })],
    ["missing", null],
  ]),
  tokens: new Map([["kube-api-access-x/token", "TOKEN"]]),
};

const kubeApiAccess = {
  name: "kube-api-access-x",
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      {
        downwardAPI: {
          items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
        },
      },
    ],
  },
};

describe("volumeFiles", () => {
  it("when the volume is the service-account projection, then token, ca.crt and namespace are written", () => {
    const files = volumeFiles(kubeApiAccess, pod, facts, objects);
    expect(files).not.toBeInstanceOf(Error);
    const m = files as Map<string, { content: Buffer }>;
    expect([...m.keys()].sort()).toEqual(["ca.crt", "namespace", "token"]);
    expect(m.get("token")?.content.toString()).toBe("TOKEN");
    expect(m.get("namespace")?.content.toString()).toBe("ns");
  });

  it("when the volume references a token, then it is listed with its default expiry", () => {
    expect(volumeReferences(kubeApiAccess)).toEqual({
      configMaps: ["kube-root-ca.crt"],
      secrets: [],
      tokens: [{ key: "kube-api-access-x/token", expirationSeconds: 3607 }],
    });
  });

  it("when a downwardAPI volume exposes an annotation, then the file holds its value", () => {
    const files = volumeFiles(
      {
        name: "script",
        downwardAPI: {
          items: [{ path: "source", fieldRef: { fieldPath: "metadata.annotations['onexit.dev/script']" } }],
        },
      },
      pod,
      facts,
      objects,
    );
    expect((files as Map<string, { content: Buffer }>).get("source")?.content.toString()).toBe("echo hi");
  });

  it("when a secret volume exists, then its values are decoded; when missing and not optional, then it is an error", () => {
    const ok = volumeFiles({ name: "s", secret: { secretName: "s" } }, pod, facts, objects);
    expect((ok as Map<string, { content: Buffer }>).get("k")?.content.toString()).toBe("secret");
    expect(volumeFiles({ name: "m", secret: { secretName: "missing" } }, pod, facts, objects)).toBeInstanceOf(
      Error,
    );
    expect(
      volumeFiles({ name: "m", secret: { secretName: "missing", optional: true } }, pod, facts, objects),
    ).toBeInstanceOf(Map);
  });
});
