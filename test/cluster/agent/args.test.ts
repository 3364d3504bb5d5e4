import { describe, expect, it } from "vitest";
import { parseArgs } from "./args.ts";

describe("parseArgs", () => {
  it("when given the flags up.sh passes, then it returns them typed", () => {
    const args = parseArgs([
      "--kubeconfig",
      "/s/kubeconfig",
      "--state-dir",
      "/s/agent",
      "--node-name",
      "n1",
      "--node-ip",
      "10.250.0.1",
      "--bridge",
      "onexit0",
      "--pod-cidr",
      "10.250.0.0/16",
      "--service-cidr",
      "10.96.0.0/16",
      "--kubelet-port",
      "10250",
      "--repo",
      "/work/main",
    ]);
    expect(args).toMatchObject({
      kubeconfig: "/s/kubeconfig",
      stateDir: "/s/agent",
      nodeName: "n1",
      kubeletPort: 10250,
      repo: "/work/main",
    });
    expect(args.backoffMs).toBe(10_000);
  });

  it("when a flag uses the = form, then it is accepted", () => {
    expect(parseArgs(["--kubeconfig=/k", "--state-dir=/s", "--repo=/r", "--backoff-ms=100"]).backoffMs).toBe(
      100,
    );
  });

  it("when a required flag is missing, then it throws", () => {
    expect(() => parseArgs(["--kubeconfig", "/k"])).toThrow(/--state-dir is required/);
  });

  it("when a flag is unknown, then it throws", () => {
    expect(() => parseArgs(["--nope", "1"])).toThrow(/unknown argument/);
  });
});
