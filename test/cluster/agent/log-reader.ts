// Streams a CRI log file to a client the way the kubelet does: tail, since, limit, follow.
import { open, type FileHandle } from "node:fs/promises";
import { once } from "node:events";
import type { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { parseRecord, renderRecord, type LogOptions } from "./log-format.ts";

const CHUNK = 64 * 1024;

export interface LogSource {
  path: string;
  /** True once the container exited and its writer flushed everything. */
  finished(): boolean;
}

/** Byte offset where the last `lines` records of the file start (reads backwards in chunks). */
export async function tailOffset(fh: FileHandle, size: number, lines: number): Promise<number> {
  if (lines === 0) return size;
  let pos = size;
  let seen = 0;
  const buf = Buffer.alloc(CHUNK);
  // A final newline ends the last record; it does not start a new one.
  let skipLast = true;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      if (skipLast && pos + i === size - 1) continue;
      seen++;
      if (seen === lines) return pos + i + 1;
    }
    skipLast = false;
  }
  return 0;
}

/** Batches rendered records into ~64 KiB writes, honours limitBytes and back-pressure. */
class Sink {
  private readonly out: Writable;
  private remaining: number;
  private parts: Buffer[] = [];
  private size = 0;

  constructor(out: Writable, limitBytes: number | undefined) {
    this.out = out;
    this.remaining = limitBytes ?? Number.POSITIVE_INFINITY;
  }

  get open(): boolean {
    return this.remaining > 0 && !this.out.destroyed;
  }

  /** Queues data; false once the limit is reached or the client is gone. */
  async push(data: Buffer): Promise<boolean> {
    const piece = data.length > this.remaining ? data.subarray(0, this.remaining) : data;
    this.remaining -= piece.length;
    this.parts.push(piece);
    this.size += piece.length;
    if (this.size >= CHUNK) await this.flush();
    return this.open;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    if (this.out.destroyed || this.out.write(data)) return;
    const ac = new AbortController();
    const wait = { signal: ac.signal };
    await Promise.race([once(this.out, "drain", wait), once(this.out, "close", wait)]).catch(() => undefined);
    ac.abort();
  }
}

/** Writes the file's records from `offset`; returns the offset after the last complete record. */
async function pump(
  fh: FileHandle,
  offset: number,
  opts: LogOptions,
  sink: Sink,
): Promise<{ offset: number; more: boolean }> {
  const buf = Buffer.alloc(CHUNK);
  let carry = Buffer.alloc(0);
  let pos = offset;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, CHUNK, pos + carry.length);
    if (bytesRead === 0) {
      await sink.flush();
      return { offset: pos, more: true };
    }
    let data =
      carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    let nl: number;
    while ((nl = data.indexOf(0x0a)) >= 0) {
      const rec = parseRecord(data.subarray(0, nl));
      pos += nl + 1;
      data = data.subarray(nl + 1);
      if (rec === undefined || (opts.since !== undefined && rec.timestamp < opts.since)) continue;
      if (!(await sink.push(renderRecord(rec, opts.timestamps)))) {
        await sink.flush();
        return { offset: pos, more: false };
      }
    }
    carry = Buffer.from(data);
  }
}

/** Streams the log to `out` (which the caller ends); stops early when `signal` aborts. */
export async function streamLog(
  source: LogSource,
  opts: LogOptions,
  out: Writable,
  signal: AbortSignal,
): Promise<void> {
  const fh = await open(source.path, "r");
  try {
    const { size } = await fh.stat();
    let offset = opts.tailLines === undefined ? 0 : await tailOffset(fh, size, opts.tailLines);
    const sink = new Sink(out, opts.limitBytes);
    for (;;) {
      const done = source.finished();
      const r = await pump(fh, offset, opts, sink);
      offset = r.offset;
      if (!r.more || done || !opts.follow || signal.aborted || out.destroyed) return;
      await sleep(100, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    await fh.close();
  }
}
