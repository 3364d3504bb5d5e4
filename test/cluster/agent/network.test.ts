import { describe, expect, it } from "vitest";
import { networkNames, setupBatches } from "./network.ts";

describe("networkNames", () => {
  it("when given a pod UID, then names fit the kernel's 15-character limit and carry the agreed prefixes", () => {
    const n = networkNames("0123abcd-4567-89ef-0123-456789abcdef");
    expect(n).toEqual({ netns: "onexit-0123abcd45", hostVeth: "ox0123abcd45", peer: "oxp0123abcd45" });
    expect(n.peer.length).toBeLessThanOrEqual(15);
  });
});

describe("setupBatches", () => {
  it("when rendered, then the host side creates the pair and the pod side addresses eth0 and routes via the gateway", () => {
    const b = setupBatches(networkNames("u1"), "10.250.1.7", {
      bridge: "onexit0",
      gateway: "10.250.0.1",
      prefixLength: 16,
    });
    expect(b.host.split("\n")).toContain("link set oxu1 master onexit0");
    expect(b.pod.split("\n")).toEqual([
      "link set oxpu1 name eth0",
      "addr add 10.250.1.7/16 dev eth0",
      "link set eth0 up",
      "link set lo up",
      "route add default via 10.250.0.1",
      "",
    ]);
  });
});
