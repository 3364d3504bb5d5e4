// A large workflow stored as Argo stores it (argo-workflows v4: workflow/packer/packer.go and
// util/file/fileutil.go), so `argo get` and Argo's controller read what onexit writes, and the
// reverse. When the JSON of the whole Workflow is longer than MAX_WORKFLOW_SIZE (onexit:
// ONEXIT_MAX_WORKFLOW_SIZE, 1 MiB by default), `status.nodes` goes into `status.compressedNodes`
// instead: the nodes' JSON, gzipped, in standard base64 with padding. Readers expand it when
// `status.nodes` is empty. A workflow still longer once compressed is refused (the applier hands
// that to the engine, which ends the workflow in Error: docs/ARCHITECTURE.md).
//
// The engine never sees `compressedNodes`: the controller unpacks every workflow it takes from the
// cache (memoized by uid and resourceVersion, so a 5,000-node workflow is not expanded on every
// pass), and the applier packs what it writes. Both run zlib off the event loop (libuv's pool).
import { promisify } from "node:util";
import { brotliDecompress, gunzip, gzip, zstdDecompress } from "node:zlib";
import type { NodeStatus, Workflow } from "./engine/index.ts";
import { apiErrorMessage, statusCodeOf } from "./kube-client.ts";

export const MAX_WORKFLOW_SIZE_ENV = "ONEXIT_MAX_WORKFLOW_SIZE";
/** Argo's default MAX_WORKFLOW_SIZE. */
export const DEFAULT_MAX_WORKFLOW_SIZE = 1024 * 1024;
/** How many nodes the unpacked-status memo keeps, over all workflows (a node is ~350 bytes of JSON). */
const MEMO_NODES = 25_000;

type Nodes = Record<string, NodeStatus>;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const zstdAsync = promisify(zstdDecompress);
const brotliAsync = promisify(brotliDecompress);
const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

const startsWith = (buf: Buffer, magic: number[]): boolean => magic.every((b, i) => buf[i] === b);

/** Argo's CompressEncodeString of the nodes' JSON: gzip (default level), standard base64. */
export async function compressNodes(nodes: Nodes): Promise<string> {
  return (await gzipAsync(JSON.stringify(nodes))).toString("base64");
}

/**
 * Argo's DecodeDecompressString: gzip, or (written by Argo ≥ 4.1 with
 * WORKFLOW_COMPRESSION_ALGORITHM) zstd told by its magic bytes, else brotli.
 */
export async function decompressNodes(text: string): Promise<Nodes> {
  const buf = Buffer.from(text, "base64");
  const json = startsWith(buf, GZIP_MAGIC)
    ? await gunzipAsync(buf)
    : startsWith(buf, ZSTD_MAGIC)
      ? await zstdAsync(buf)
      : await brotliAsync(buf);
  const nodes: unknown = JSON.parse(json.toString("utf8"));
  if (nodes === null || typeof nodes !== "object" || Array.isArray(nodes))
    throw new Error("status.compressedNodes does not hold a map of nodes");
  return nodes as Nodes;
}

/** Bytes of the object's JSON, as Argo's getSize measures the Workflow. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

const hasNodes = (workflow: Workflow): boolean => Object.keys(workflow.status?.nodes ?? {}).length > 0;

/** The workflow with `status.nodes` and without `compressedNodes` (a stale one beside nodes is dropped). */
function withNodes(workflow: Workflow, nodes: Nodes | undefined): Workflow {
  const { compressedNodes: _packed, nodes: _nodes, ...rest } = workflow.status ?? {};
  return { ...workflow, status: nodes === undefined ? rest : { ...rest, nodes } };
}

export type Packed =
  | { ok: true; workflow: Workflow; compressed: boolean }
  | { ok: false; bytes: number; compressedBytes: number; message: string };

/** Argo's wording, with both sizes and the variable that sets the limit. */
export function tooLargeMessage(bytes: number, compressedBytes: number, maxBytes: number): string {
  return (
    `workflow is longer than maximum allowed size: ${bytes} bytes, ${compressedBytes} with ` +
    `status.nodes compressed, more than ${MAX_WORKFLOW_SIZE_ENV}=${maxBytes}`
  );
}

/**
 * The workflow to write: as is when its JSON fits in `maxBytes`, else with `status.nodes`
 * compressed, or not at all (`ok: false`) when even that is longer. `enforce: false` compresses
 * as needed but never refuses (the engine's answer to a refusal must still be written).
 */
export async function packWorkflow(workflow: Workflow, maxBytes: number, enforce = true): Promise<Packed> {
  const plain = withNodes(workflow, workflow.status?.nodes);
  const bytes = jsonBytes(plain);
  if (bytes <= maxBytes || !hasNodes(plain)) {
    if (bytes <= maxBytes || !enforce) return { ok: true, workflow: plain, compressed: false };
    return { ok: false, bytes, compressedBytes: bytes, message: tooLargeMessage(bytes, bytes, maxBytes) };
  }
  const compressedNodes = await compressNodes(plain.status?.nodes ?? {});
  const { nodes: _nodes, ...rest } = plain.status ?? {};
  const packed: Workflow = { ...plain, status: { ...rest, compressedNodes } };
  const compressedBytes = jsonBytes(packed);
  if (compressedBytes <= maxBytes || !enforce) return { ok: true, workflow: packed, compressed: true };
  return { ok: false, bytes, compressedBytes, message: tooLargeMessage(bytes, compressedBytes, maxBytes) };
}

/** Argo's DecompressWorkflow: `compressedNodes` expanded into `status.nodes` when those are empty. */
export async function unpackWorkflow(workflow: Workflow): Promise<Workflow> {
  const packed = workflow.status?.compressedNodes;
  if (packed === undefined || packed === "") return workflow;
  if (hasNodes(workflow)) return withNodes(workflow, workflow.status?.nodes);
  return withNodes(workflow, await decompressNodes(packed));
}

/**
 * What the API server answers a request longer than it takes: 413, or etcd's "request is too
 * large" (Argo's IsRequestEntityTooLargeErr tests the same two).
 */
export function isRequestTooLarge(err: unknown): boolean {
  return statusCodeOf(err) === 413 || apiErrorMessage(err).includes("request is too large");
}

export function apiTooLargeMessage(err: unknown, bytes: number, maxBytes: number): string {
  return (
    `workflow is longer than the API server accepts (${bytes} bytes sent, ` +
    `${MAX_WORKFLOW_SIZE_ENV}=${maxBytes}): ${apiErrorMessage(err)}`
  );
}

interface MemoEntry {
  resourceVersion: string;
  nodes: Nodes;
  count: number;
}

/** Packing with the coordinator's limit, and a bounded memo of unpacked node maps. */
export class NodeStatusPacking {
  readonly maxBytes: number;
  private readonly memoNodes: number;
  /** By uid, least recently used first (Map keeps insertion order). */
  private readonly memo = new Map<string, MemoEntry>();
  private memoCount = 0;

  constructor(options: { maxBytes: number; memoNodes?: number }) {
    this.maxBytes = options.maxBytes;
    this.memoNodes = options.memoNodes ?? MEMO_NODES;
  }

  /** The workflow as the engine reads it. The nodes returned may be shared: never mutate them. */
  async unpack(workflow: Workflow): Promise<Workflow> {
    const packed = workflow.status?.compressedNodes;
    if (packed === undefined || packed === "" || hasNodes(workflow)) return unpackWorkflow(workflow);
    const { uid, resourceVersion } = workflow.metadata;
    const kept = uid === undefined ? undefined : this.memo.get(uid);
    if (kept !== undefined && kept.resourceVersion === resourceVersion) {
      this.touch(uid ?? "", kept);
      return withNodes(workflow, kept.nodes);
    }
    const nodes = await decompressNodes(packed);
    this.remember(uid, resourceVersion, nodes);
    return withNodes(workflow, nodes);
  }

  pack(workflow: Workflow, enforce = true): Promise<Packed> {
    return packWorkflow(workflow, this.maxBytes, enforce);
  }

  /** After a write that stored these nodes compressed: the next pass need not expand them. */
  written(stored: Workflow, nodes: Nodes | undefined): void {
    if (stored.status?.compressedNodes === undefined || nodes === undefined) return;
    this.remember(stored.metadata.uid, stored.metadata.resourceVersion, nodes);
  }

  /** How many workflows' nodes are kept, and how many nodes in all. */
  memoSize(): { workflows: number; nodes: number } {
    return { workflows: this.memo.size, nodes: this.memoCount };
  }

  private remember(uid: string | undefined, resourceVersion: string | undefined, nodes: Nodes): void {
    if (uid === undefined || resourceVersion === undefined) return;
    this.drop(uid);
    const count = Object.keys(nodes).length;
    if (count > this.memoNodes) return;
    this.touch(uid, { resourceVersion, nodes, count });
    for (const [oldest] of this.memo) {
      if (this.memoCount <= this.memoNodes) break;
      this.drop(oldest);
    }
  }

  private touch(uid: string, entry: MemoEntry): void {
    this.drop(uid);
    this.memo.set(uid, entry);
    this.memoCount += entry.count;
  }

  private drop(uid: string): void {
    const entry = this.memo.get(uid);
    if (entry === undefined) return;
    this.memo.delete(uid);
    this.memoCount -= entry.count;
  }
}
