import { describe, expect, it } from "vitest";
import { leaseObject, microTime, nodeObject } from "./node-object.ts";

const facts = {
  nodeName: "onexit-node",
  nodeIp: "10.250.0.1",
  kubeletPort: 10250,
  podCidr: "10.250.0.0/16",
  kubeletVersion: "v1.37.2",
};

describe("nodeObject", () => {
  it("when built, then it is Ready with the InternalIP first and the kubelet port", () => {
    const node = nodeObject(facts, "2026-01-01T00:00:00Z") as { status: Record<string, unknown> };
    const status = node.status as {
      addresses: Array<{ type: string }>;
      daemonEndpoints: unknown;
      conditions: Array<{ type: string; status: string }>;
      capacity: Record<string, string>;
    };
    expect(status.addresses[0]).toEqual({ type: "InternalIP", address: "10.250.0.1" });
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(status.capacity.pods).toBe("500");
  });
});

describe("leaseObject", () => {
  it("when built, then renewTime has microseconds and the holder is the node", () => {
    expect(microTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123))).toBe("2026-01-01T00:00:00.123000Z");
    expect(leaseObject("n", "uid", 0)).toMatchObject({
      metadata: { namespace: "kube-node-lease", ownerReferences: [{ uid: "uid" }] },
      spec: { holderIdentity: "n", leaseDurationSeconds: 40 },
    });
  });
});
