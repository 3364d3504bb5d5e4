import { describe, expect, it } from "vitest";
import { renderHostsFile } from "./hosts-file.ts";

describe("renderHostsFile", () => {
  it("when services exist in this and other namespaces, then short names are only given to the pod's namespace", () => {
    const text = renderHostsFile({
      podIP: "10.250.1.3",
      hostname: "web-1",
      namespace: "a",
      services: [
        { name: "db", namespace: "b", ips: ["10.96.0.20"] },
        { name: "web", namespace: "a", ips: ["10.96.0.10"] },
      ],
    });
    const lines = text.trimEnd().split("\n");
    expect(lines).toContain("10.250.1.3\tweb-1");
    expect(lines).toContain("10.96.0.10\tweb web.a web.a.svc web.a.svc.cluster.local");
    expect(lines).toContain("10.96.0.20\tdb.b db.b.svc db.b.svc.cluster.local");
    expect(lines.indexOf("10.96.0.10\tweb web.a web.a.svc web.a.svc.cluster.local")).toBeLessThan(
      lines.indexOf("10.96.0.20\tdb.b db.b.svc db.b.svc.cluster.local"),
    );
    expect(text.endsWith("\n")).toBe(true);
  });

  it("when the pod has a subdomain, then its fully qualified name comes first", () => {
    const text = renderHostsFile({
      podIP: "10.250.1.3",
      hostname: "h",
      subdomain: "sub",
      namespace: "a",
      services: [],
    });
    expect(text).toContain("10.250.1.3\th.sub.a.svc.cluster.local h\n");
  });
});
