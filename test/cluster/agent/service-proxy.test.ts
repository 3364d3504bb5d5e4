import type { V1EndpointSlice, V1Service, V1ServicePort } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { renderRestore, serviceRules } from "./service-proxy.ts";

const svc = (ns: string, name: string, ip: string, ports: V1ServicePort[]): V1Service => ({
  metadata: { namespace: ns, name },
  spec: { clusterIP: ip, ports },
});

const slice = (
  [ns, svcName]: [string, string],
  eps: Array<[string, boolean | undefined]>,
  port: number,
  portName?: string,
): V1EndpointSlice => ({
  addressType: "IPv4",
  metadata: { namespace: ns, name: `${svcName}-x`, labels: { "kubernetes.io/service-name": svcName } },
  ports: [{ name: portName, port, protocol: "TCP" }],
  endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
});

describe("serviceRules", () => {
  it("when a slice has ready and unready endpoints, then only ready ones (and unset readiness) are used", () => {
    const rules = serviceRules({
      services: [svc("a", "web", "10.96.0.10", [{ port: 80, targetPort: 8080 }])],
      slices: [
        slice(
          ["a", "web"],
          [
            ["10.250.1.2", true],
            ["10.250.1.3", false],
            ["10.250.1.4", undefined],
          ],
          8080,
        ),
      ],
    });
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      clusterIP: "10.96.0.10",
      port: 80,
      endpoints: ["10.250.1.2:8080", "10.250.1.4:8080"],
    });
  });

  it("when a service is headless or has named ports, then headless is skipped and ports match by name", () => {
    const rules = serviceRules({
      services: [
        svc("a", "h", "None", [{ port: 80 }]),
        svc("a", "m", "10.96.0.11", [
          { name: "http", port: 80 },
          { name: "metrics", port: 9090 },
        ]),
      ],
      slices: [
        slice(["a", "m"], [["10.250.1.5", true]], 8080, "http"),
        slice(["a", "m"], [["10.250.1.5", true]], 9091, "metrics"),
      ],
    });
    expect(rules.map((r) => [r.port, r.endpoints])).toEqual(
      expect.arrayContaining([
        [80, ["10.250.1.5:8080"]],
        [9090, ["10.250.1.5:9091"]],
      ]),
    );
    expect(rules).toHaveLength(2);
  });
});

describe("renderRestore", () => {
  const input = {
    services: [
      svc("default", "kubernetes", "10.96.0.1", [{ name: "https", port: 443 }]),
      svc("a", "empty", "10.96.0.12", [{ port: 81 }]),
    ],
    slices: [
      slice(
        ["default", "kubernetes"],
        [
          ["10.250.0.1", true],
          ["10.250.0.2", true],
        ],
        6443,
        "https",
      ),
    ],
    serviceCidr: "10.96.0.0/16",
    bridge: "onexit0",
  };

  it("when a service has two endpoints, then the first DNAT is taken with probability one half", () => {
    const { text, chains } = renderRestore(input, new Set());
    expect(chains.size).toBe(1);
    const chain = [...chains][0];
    expect(text).toContain(
      `-A ONEXIT-SERVICES -d 10.96.0.1/32 -p tcp -m tcp --dport 443 -m comment --comment "default/kubernetes:https" -j ${chain}`,
    );
    expect(text).toContain(
      `-A ${chain} -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.250.0.1:6443`,
    );
    expect(text).toContain(`-A ${chain} -p tcp -j DNAT --to-destination 10.250.0.2:6443`);
    expect(text).toContain(
      "-A ONEXIT-POSTROUTING -m conntrack --ctstate DNAT --ctorigdst 10.96.0.0/16 -j MASQUERADE",
    );
    expect(text.match(/COMMIT/g)).toHaveLength(2);
  });

  it("when a service has no endpoints, then its port is rejected in the filter table", () => {
    const { text } = renderRestore(input, new Set());
    expect(text).toMatch(/-A ONEXIT-REJECT -d 10.96.0.12\/32 -p tcp -m tcp --dport 81 .* -j REJECT/);
  });

  it("when a chain from the previous sync is gone, then it is declared (flushed) and deleted", () => {
    const { text } = renderRestore(input, new Set(["ONEXIT-SVC-OLD"]));
    expect(text).toContain(":ONEXIT-SVC-OLD - [0:0]");
    expect(text).toContain("-X ONEXIT-SVC-OLD");
  });
});
