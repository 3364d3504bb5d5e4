import { brotliCompressSync, gunzipSync, gzipSync, zstdCompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { NodeStatus, Workflow } from "./engine/index.ts";
import {
  compressNodes,
  decompressNodes,
  isRequestTooLarge,
  jsonBytes,
  NodeStatusPacking,
  packWorkflow,
  unpackWorkflow,
} from "./node-status-packing.ts";

// Made by Argo's own algorithm (v4.0.5 CompressEncodeString with its default writer): a Go program
// running klauspost/pgzip v1.2.6 NewWriter over these nodes' JSON, then base64.StdEncoding.
const ARGO_COMPRESSED =
  "H4sIAAAJbogA/8zSQUv7MBgG8Pv/Y7ynv9C6tOrcchMF8TKEeXLskDXv1mCbNyQpc4x+d8nWSdbqRTx4fJ4+UPrru4eV2qTbNfA9KAn8" +
  "FBPQosY4S+VMJXazXu13JszmHo0LEWtTCY/drBZKR+28oMO6okJUo89XmVK4UM+bokCUKCEB54X1KO88cMhZPk6zPGXjFzbljHHGXiGB" +
  "tdLKld9upmFjLG0sOgccslEGCRSlqqRFDXzRfUSa5VfXsGyTs3zucdz0UBZsOXA5dhHKo6XG/IxgRY2Wwu6eHuL/8EswXzjcjG8nscMh" +
  "9xwO3dDhUnms/zPOLgYi8ZPO5Znk8FS2ZN/+ltMkHFBJzs9Ing5ak8Q03BE13jTeBR98V/6eJAIHBm3b/vsAAAD//wMAGU7oeVUDAAA=";

const ARGO_NODES = {
  "big-wf": {
    id: "big-wf",
    name: "big-wf",
    displayName: "big-wf",
    type: "Steps",
    templateName: "main",
    templateScope: "local/big-wf",
    phase: "Succeeded",
    startedAt: "2026-12-06T09:00:00Z",
    finishedAt: "2026-12-06T09:00:09Z",
    progress: "1/1",
    children: ["big-wf-1234"],
  },
  "big-wf-1234": {
    id: "big-wf-1234",
    name: "big-wf[0]",
    displayName: "[0]",
    type: "StepGroup",
    templateScope: "local/big-wf",
    phase: "Succeeded",
    boundaryID: "big-wf",
    startedAt: "2026-12-06T09:00:00Z",
    finishedAt: "2026-12-06T09:00:09Z",
    children: ["big-wf-5678"],
  },
  "big-wf-5678": {
    id: "big-wf-5678",
    name: "big-wf[0].item(0:0)",
    displayName: "item(0:0)",
    type: "Pod",
    templateName: "work",
    templateScope: "local/big-wf",
    phase: "Succeeded",
    boundaryID: "big-wf",
    startedAt: "2026-12-06T09:00:00Z",
    finishedAt: "2026-12-06T09:00:08Z",
    hostNodeName: "node-1",
    outputs: { exitCode: "0" },
  },
};

/** Argo's DecodeDecompressString as read in util/file/fileutil.go (v4.0.5), step by step. */
function argoDecode(text: string): unknown {
  // base64.StdEncoding.DecodeString is strict: the standard alphabet, padded to a multiple of 4.
  expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
  expect(text.length % 4).toBe(0);
  const buf = Buffer.from(text, "base64");
  expect([buf[0], buf[1]]).toEqual([0x1f, 0x8b]); // gzip, not a bare zlib stream
  return JSON.parse(gunzipSync(buf).toString("utf8"));
}

function nodes(count: number): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {};
  for (let i = 0; i < count; i++) {
    const id = `wf-${1000000 + i}`;
    out[id] = {
      id,
      name: `wf[0].item(${i}:${i})`,
      displayName: `item(${i}:${i})`,
      type: "Pod",
      phase: "Succeeded",
      startedAt: "2026-12-06T09:00:00Z",
      finishedAt: "2026-12-06T09:00:01Z",
    } as NodeStatus;
  }
  return out;
}

function workflow(count: number, rv = "1", uid = "u1"): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "wf", namespace: "ns", uid, resourceVersion: rv },
    spec: { templates: [] },
    status: { phase: "Running", nodes: nodes(count) },
  };
}

describe("Argo's format", () => {
  it("when Argo compressed the nodes, then they read back as Argo wrote them", async () => {
    expect(await decompressNodes(ARGO_COMPRESSED)).toEqual(ARGO_NODES);
  });

  it("when onexit compresses nodes, then Argo's algorithm reads them back", async () => {
    const text = await compressNodes(ARGO_NODES as unknown as Record<string, NodeStatus>);
    expect(argoDecode(text)).toEqual(ARGO_NODES);
  });

  it("when Argo ≥ 4.1 wrote zstd or brotli, then they read back too (told by their magic bytes)", async () => {
    const json = JSON.stringify(ARGO_NODES);
    expect(await decompressNodes(zstdCompressSync(json).toString("base64"))).toEqual(ARGO_NODES);
    expect(await decompressNodes(brotliCompressSync(json).toString("base64"))).toEqual(ARGO_NODES);
  });

  it("when compressedNodes is not a map of nodes, then reading it fails saying so", async () => {
    const list = (await compressNodes({})).slice(0, 8);
    await expect(decompressNodes(list)).rejects.toThrow();
    const array = gzipSync(JSON.stringify([1])).toString("base64");
    await expect(decompressNodes(array)).rejects.toThrow(
      "status.compressedNodes does not hold a map of nodes",
    );
  });
});

describe("packWorkflow", () => {
  it("when the workflow fits, then it is written as is", async () => {
    const wf = workflow(10);
    const packed = await packWorkflow(wf, jsonBytes(wf));
    expect(packed).toEqual({ ok: true, workflow: wf, compressed: false });
  });

  it("when it is one byte longer than the limit, then nodes go into compressedNodes and back", async () => {
    const wf = workflow(100);
    const packed = await packWorkflow(wf, jsonBytes(wf) - 1);
    if (!packed.ok) throw new Error(packed.message);
    expect(packed.compressed).toBe(true);
    expect(packed.workflow.status?.nodes).toBeUndefined();
    expect(argoDecode(packed.workflow.status?.compressedNodes ?? "")).toEqual(wf.status?.nodes);
    expect({ ...packed.workflow.status, compressedNodes: undefined }).toEqual({
      phase: "Running",
      compressedNodes: undefined,
    });
    expect(await unpackWorkflow(packed.workflow)).toEqual(wf);
  });

  it("when even the compressed workflow is too long, then it is refused naming both sizes and the variable", async () => {
    const wf = workflow(100);
    const packed = await packWorkflow(wf, 500);
    expect(packed.ok).toBe(false);
    if (packed.ok) return;
    expect(packed.bytes).toBe(jsonBytes(wf));
    expect(packed.compressedBytes).toBeLessThan(packed.bytes);
    expect(packed.message).toBe(
      `workflow is longer than maximum allowed size: ${packed.bytes} bytes, ${packed.compressedBytes} ` +
        "with status.nodes compressed, more than ONEXIT_MAX_WORKFLOW_SIZE=500",
    );
  });

  it("when not enforced, then a too long workflow is still compressed and given back", async () => {
    const packed = await packWorkflow(workflow(100), 500, false);
    expect(packed.ok && packed.compressed).toBe(true);
    const bare = { ...workflow(0), status: { phase: "Error" as const } };
    expect(await packWorkflow(bare, 10, false)).toEqual({ ok: true, workflow: bare, compressed: false });
    expect((await packWorkflow(bare, 10)).ok).toBe(false);
  });

  it("when the status held a stale compressedNodes beside nodes, then only the nodes are written", async () => {
    const wf = workflow(3);
    const stale = { ...wf, status: { ...wf.status, compressedNodes: "stale" } };
    expect(await packWorkflow(stale, 1 << 20)).toEqual({ ok: true, workflow: wf, compressed: false });
  });
});

describe("unpackWorkflow", () => {
  it("when nothing is compressed, then the workflow is given back unchanged", async () => {
    const wf = workflow(2);
    expect(await unpackWorkflow(wf)).toBe(wf);
  });

  it("when nodes are set beside compressedNodes, then the nodes win, as in Argo", async () => {
    const wf = workflow(2);
    expect(await unpackWorkflow({ ...wf, status: { ...wf.status, compressedNodes: "x" } })).toEqual(wf);
  });
});

describe("NodeStatusPacking", () => {
  const packed = async (count: number, rv: string, uid = "u1"): Promise<Workflow> => {
    const result = await packWorkflow(workflow(count, rv, uid), 100, false);
    if (!result.ok) throw new Error(result.message);
    return result.workflow;
  };

  it("when the same version is unpacked twice, then it is expanded once (the same nodes come back)", async () => {
    const packing = new NodeStatusPacking({ maxBytes: 100 });
    const first = await packing.unpack(await packed(20, "1"));
    const again = await packing.unpack(await packed(20, "1"));
    expect(first.status?.nodes).toEqual(workflow(20).status?.nodes);
    expect(again.status?.nodes).toBe(first.status?.nodes);
    const next = await packing.unpack(await packed(20, "2"));
    expect(next.status?.nodes).not.toBe(first.status?.nodes);
    expect(packing.memoSize()).toEqual({ workflows: 1, nodes: 20 });
  });

  it("when a write stored compressed nodes, then the written version needs no expansion", async () => {
    const packing = new NodeStatusPacking({ maxBytes: 100 });
    const mine = workflow(5, "7").status?.nodes;
    packing.written(await packed(5, "7"), mine);
    expect((await packing.unpack(await packed(5, "7"))).status?.nodes).toBe(mine);
    packing.written(workflow(5, "8"), mine); // written uncompressed: nothing to remember
    expect(packing.memoSize().workflows).toBe(1);
  });

  it("when more nodes than its bound are kept, then the least recently used workflows go", async () => {
    const packing = new NodeStatusPacking({ maxBytes: 100, memoNodes: 25 });
    await packing.unpack(await packed(10, "1", "a"));
    await packing.unpack(await packed(10, "1", "b"));
    await packing.unpack(await packed(10, "1", "a")); // a is now the most recent
    await packing.unpack(await packed(10, "1", "c"));
    expect(packing.memoSize()).toEqual({ workflows: 2, nodes: 20 });
    await packing.unpack(await packed(30, "1", "d")); // larger than the bound: not kept
    expect(packing.memoSize()).toEqual({ workflows: 2, nodes: 20 });
  });
});

describe("isRequestTooLarge", () => {
  const apiError = (code: number, message: string): Error =>
    Object.assign(new Error(`HTTP ${code}`), { code, body: JSON.stringify({ kind: "Status", message }) });

  it("when the API server answers 413 or etcd's 'request is too large', then it is the size", () => {
    expect(isRequestTooLarge(apiError(413, "Request entity too large: limit is 3145728"))).toBe(true);
    expect(isRequestTooLarge(apiError(500, "etcdserver: request is too large"))).toBe(true);
    expect(isRequestTooLarge(apiError(500, "etcdserver: leader changed"))).toBe(false);
  });
});
