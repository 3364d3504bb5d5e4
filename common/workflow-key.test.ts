import { describe, expect, it } from "vitest";
import { objectKey, parseWorkflowKey, workflowKey } from "./workflow-key.ts";

describe("workflow keys", () => {
  it("when built from namespace and name, then parsing gives both back", () => {
    const key = workflowKey("team-a", "nightly-x7k2p");
    expect(key).toBe("team-a/nightly-x7k2p");
    expect(parseWorkflowKey(key)).toEqual({ namespace: "team-a", name: "nightly-x7k2p" });
  });

  it("when an object has metadata, then its key is the same as the workflow key", () => {
    expect(objectKey({ metadata: { namespace: "ns", name: "wf" } })).toBe(workflowKey("ns", "wf"));
    expect(objectKey({})).toBe("/");
  });

  it("when a key has no namespace part, then it is a cluster-scoped name", () => {
    expect(parseWorkflowKey("wf")).toEqual({ namespace: "", name: "wf" });
    expect(parseWorkflowKey("/wf")).toEqual({ namespace: "", name: "wf" });
  });
});
