import { describe, expect, it } from "vitest";
import { growNodes, renderNodesGrowth } from "./growth-nodes.ts";

describe("growNodes", () => {
  it("when a loop of 10 steps with parallelism 4 runs to the end, then it stores the loop's, the group's, the body's and the handler's nodes", async () => {
    const row = await growNodes(10, 4);
    expect(row.nodes).toBe(13);
    expect(row.passes).toBeGreaterThanOrEqual(4);
    expect(row.statusBytes).toBeGreaterThan(1000);
    expect(row.objectBytes).toBeGreaterThan(row.statusBytes);
    expect(row.packedBytes).toBeLessThan(row.objectBytes);
    expect(renderNodesGrowth([row])).toContain("| 10 ");
  });
});
