import { describe, expect, it } from "vitest";
import { exitHandlerNodeName, fnv32a, nodeId, podName } from "./names.ts";

describe("names", () => {
  it("when hashing the seed's handler node, then it matches the pod Argo made", () => {
    expect(fnv32a("exit-handler-zx78p.onExit")).toBe(3923311637);
    expect(podName("exit-handler-zx78p", exitHandlerNodeName("exit-handler-zx78p"), "exit-handler")).toBe(
      "exit-handler-zx78p-exit-handler-3923311637",
    );
  });

  it("when the node is the workflow itself, then pod name and node id are the workflow's name", () => {
    expect(podName("wf", "wf", "step1")).toBe("wf");
    expect(nodeId("wf", "wf")).toBe("wf");
  });

  it("when the node is a child, then its id is the workflow name and the hash of the node name", () => {
    expect(nodeId("wf", "wf[0].a")).toBe(`wf-${fnv32a("wf[0].a")}`);
  });

  it("when the prefix is very long, then the pod name stays within 253 characters", () => {
    expect(podName("w".repeat(200), "n", "t".repeat(100)).length).toBeLessThanOrEqual(253);
  });
});
