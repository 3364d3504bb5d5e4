import { describe, expect, it } from "vitest";
import { growNodes } from "./growth-nodes.ts";
import { loopStatus, loopWorkflowObject } from "./growth-size.ts";

describe("loopStatus", () => {
  it("when a loop of 10 items is built directly, then it holds the nodes the engine stores for it, in their shape", async () => {
    const built = loopStatus("wf", 10);
    const ran = await growNodes(10, 4);
    expect(Object.keys(built.nodes ?? {})).toHaveLength(ran.nodes);
    const pods = Object.values(built.nodes ?? {}).filter((n) => n.type === "Pod");
    expect(pods).toHaveLength(11);
    expect(new Set(pods.map((n) => n.finishedAt)).size).toBe(11);
    expect(Object.keys(pods[0] ?? {}).sort()).toEqual(
      ["boundaryID", "displayName", "finishedAt", "id", "logBytes", "name", "outputs", "phase"]
        .concat(["podName", "startedAt", "templateName", "type"])
        .sort(),
    );
    expect(loopWorkflowObject("wf", "ns", 10).spec.templates.map((t) => t.name)).toEqual([
      "main",
      "work",
      "handler",
    ]);
  });
});
