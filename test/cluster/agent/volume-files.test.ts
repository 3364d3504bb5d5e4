import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { containerMounts, mountScript, shellQuote } from "./mount-script.ts";
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

describe("containerMounts", () => {
  const dirs = new Map([
    ["data", "/state/v/data"],
    ["out", "/state/v/out"],
  ]);

  it("when mounts use subPath and subPathExpr, then sources are joined and parents sort first", () => {
    const mounts = containerMounts(
      {
        name: "c",
        volumeMounts: [
          { name: "out", mountPath: "/a/b/c", subPathExpr: "$(POD)" },
          { name: "data", mountPath: "/a", subPath: "d1", readOnly: true },
        ],
      },
      dirs,
      { POD: "p1" },
    );
    expect(mounts).toEqual([
      { source: "/state/v/data/d1", target: "/a", readOnly: true },
      { source: "/state/v/out/p1", target: "/a/b/c", readOnly: false },
    ]);
  });

  it("when a subPath escapes the volume or the volume is unknown, then it is an error", () => {
    expect(
      containerMounts(
        { name: "c", volumeMounts: [{ name: "data", mountPath: "/x", subPath: "../etc" }] },
        dirs,
        {},
      ),
    ).toBeInstanceOf(Error);
    expect(
      containerMounts({ name: "c", volumeMounts: [{ name: "nope", mountPath: "/x" }] }, dirs, {}),
    ).toBeInstanceOf(Error);
  });
});

describe("mountScript", () => {
  it("when rendered, then it mounts, binds /etc/hosts, changes directory and execs", () => {
    const s = mountScript({
      mounts: [{ source: "/s", target: "/t", readOnly: true }],
      hostsFile: "/p/hosts",
      hostname: "pod",
      workingDir: "/w",
    });
    expect(s).toContain("m '/s' '/t' ro");
    expect(s).toContain("mount --bind '/p/hosts' /etc/hosts");
    expect(s).toContain("cd '/w'");
    expect(s.endsWith('exec "$@"')).toBe(true);
  });

  it("when a path has a quote, then it is escaped", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});
