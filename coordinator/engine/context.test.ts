import { describe, expect, it } from "vitest";
import type { Ctx } from "./context.ts";
import { checkpoint, initNode, memoByVersion, setGlobalOutput, updateNode } from "./context.ts";

function emptyCtx(): Ctx {
  const now = new Date("2026-03-01T10:00:00.000Z");
  return {
    name: "wf",
    nodes: {},
    globalOutputs: {},
    version: 0,
    actions: [],
    now,
    nowIso: now.toISOString(),
  } as unknown as Ctx;
}

describe("memoByVersion", () => {
  it("computes again after any write of nodes or global outputs, and after a checkpoint is restored", () => {
    const ctx = emptyCtx();
    const seen = memoByVersion(
      ctx,
      () => `${Object.keys(ctx.nodes).length}/${JSON.stringify(ctx.globalOutputs)}`,
    );
    expect(seen()).toBe("0/{}");
    const restore = checkpoint(ctx);
    const node = initNode(ctx, {
      name: "wf",
      type: "Pod",
      templateName: "t",
      boundaryID: "",
      phase: "Pending",
    });
    expect(seen()).toBe("1/{}");
    setGlobalOutput(ctx, "out", "v");
    expect(seen()).toBe('1/{"out":"v"}');
    updateNode(ctx, node.id, { message: "a message only" });
    expect(ctx.nodes[node.id]?.message).toBe("a message only");
    restore();
    expect(seen()).toBe("0/{}");
  });

  it("cannot be bypassed: nodes and global outputs are read-only outside context.ts", () => {
    const ctx = emptyCtx();
    // @ts-expect-error nodes are written only through setNode
    ctx.nodes["x"] = undefined;
    // @ts-expect-error global outputs are written only through setGlobalOutput
    ctx.globalOutputs["x"] = "v";
    // @ts-expect-error the version only counts writes
    ctx.version++;
    expect(true).toBe(true);
  });
});
