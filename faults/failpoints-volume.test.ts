import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { withFailpointsVolume } from "./failpoints-volume.ts";

const deployment = (component: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: onexit-${component}
  labels: { app.kubernetes.io/component: ${component} }
spec:
  template:
    spec:
      containers:
        - name: ${component}
          volumeMounts: [{ name: certs, mountPath: /etc/onexit/tls }]
      volumes: [{ name: certs, secret: { secretName: onexit-certs } }]
`;

const rendered = `---\n# Source: onexit/templates/webhook.yaml\n${deployment("webhook")}---\n${deployment("coordinator")}`;

describe("withFailpointsVolume", () => {
  it("when the chart is rendered, then only the coordinator gets the directory, at the same path", () => {
    const docs = parseAllDocuments(withFailpointsVolume(rendered, "/tmp/fp")).map((d) => d.toJS());
    const pod = (i: number) => docs[i].spec.template.spec;
    expect(pod(0)).toEqual(parseAllDocuments(rendered)[0]!.toJS().spec.template.spec);
    expect(pod(1).volumes).toEqual([
      { name: "certs", secret: { secretName: "onexit-certs" } },
      { name: "onexit-test-failpoints", hostPath: { path: "/tmp/fp", type: "DirectoryOrCreate" } },
    ]);
    expect(pod(1).containers[0].volumeMounts).toEqual([
      { name: "certs", mountPath: "/etc/onexit/tls" },
      { name: "onexit-test-failpoints", mountPath: "/tmp/fp" },
    ]);
  });

  it("when there is no coordinator Deployment, then it says so instead of installing without failpoints", () => {
    expect(() => withFailpointsVolume(deployment("webhook"), "/tmp/fp")).toThrow(/no coordinator Deployment/);
  });
});
