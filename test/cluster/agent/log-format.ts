// Pure: CRI log records (`<RFC3339Nano> <stream> <F|P> <content>`) and the kubelet's log query options.

export type LogStream = "stdout" | "stderr";

/** A record longer than this is split into partial (P) records. */
export const MAX_RECORD_CONTENT = 16 * 1024;

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Fixed-width timestamp; records older than it are skipped. */
  since?: string;
  limitBytes?: number;
}

/** RFC3339 with exactly nine fraction digits in UTC, so timestamps compare as strings. */
export function formatTimestamp(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, "0");
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Parses an RFC3339 time (any fraction, any offset) into the fixed-width form. */
export function normalizeTime(text: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text.trim());
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = BigInt((m[2] ?? "").padEnd(9, "0"));
  return formatTimestamp(BigInt(ms) * 1_000_000n + frac);
}

export function recordHeader(timestamp: string, stream: LogStream, partial: boolean): string {
  return `${timestamp} ${stream} ${partial ? "P" : "F"} `;
}

export interface ParsedRecord {
  timestamp: string;
  stream: string;
  partial: boolean;
  content: Buffer;
}

/** Parses one record (without its trailing newline); undefined when malformed. */
export function parseRecord(record: Buffer): ParsedRecord | undefined {
  const s1 = record.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : record.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const tag = record.subarray(s2 + 1, s2 + 2).toString("latin1");
  if (tag !== "F" && tag !== "P") return undefined;
  return {
    timestamp: record.subarray(0, s1).toString("latin1"),
    stream: record.subarray(s1 + 1, s2).toString("latin1"),
    partial: tag === "P",
    content: record.subarray(Math.min(record.length, s2 + 3)),
  };
}

/** What the kubelet sends for one record. */
export function renderRecord(rec: ParsedRecord, timestamps: boolean): Buffer {
  const parts = [rec.content];
  if (timestamps) parts.unshift(Buffer.from(`${rec.timestamp} `));
  if (!rec.partial) parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

function flag(params: URLSearchParams, name: string): boolean {
  const v = params.get(name);
  return v === "true" || v === "1";
}

function positiveInt(params: URLSearchParams, name: string, min: number): number | undefined | Error {
  const v = params.get(name);
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) return new Error(`${name} must be an integer >= ${min}, got ${v}`);
  return n;
}

/** The kubelet's /containerLogs query parameters. `nowNs` resolves sinceSeconds. */
export function parseLogOptions(params: URLSearchParams, nowNs: bigint): LogOptions | Error {
  const tailLines = positiveInt(params, "tailLines", 0);
  const limitBytes = positiveInt(params, "limitBytes", 1);
  const sinceSeconds = positiveInt(params, "sinceSeconds", 1);
  for (const v of [tailLines, limitBytes, sinceSeconds]) if (v instanceof Error) return v;
  const sinceTimeText = params.get("sinceTime");
  let since: string | undefined;
  if (sinceTimeText) {
    since = normalizeTime(sinceTimeText);
    if (since === undefined) return new Error(`sinceTime must be RFC3339, got ${sinceTimeText}`);
  }
  if (typeof sinceSeconds === "number") {
    if (since !== undefined) return new Error("at most one of sinceTime or sinceSeconds may be specified");
    since = formatTimestamp(nowNs - BigInt(sinceSeconds) * 1_000_000_000n);
  }
  return {
    follow: flag(params, "follow"),
    previous: flag(params, "previous"),
    timestamps: flag(params, "timestamps"),
    ...(typeof tailLines === "number" ? { tailLines } : {}),
    ...(typeof limitBytes === "number" ? { limitBytes } : {}),
    ...(since !== undefined ? { since } : {}),
  };
}

/**
 * Splits a byte stream into records: complete lines (F) and, for lines longer than
 * MAX_RECORD_CONTENT, partial pieces (P). Holds at most one record's worth of bytes.
 */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ content: Buffer; partial: boolean }> {
    const out: Array<{ content: Buffer; partial: boolean }> = [];
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl >= 0 && nl <= MAX_RECORD_CONTENT) {
        out.push({ content: buf.subarray(0, nl), partial: false });
        buf = buf.subarray(nl + 1);
      } else if (buf.length > MAX_RECORD_CONTENT) {
        out.push({ content: buf.subarray(0, MAX_RECORD_CONTENT), partial: true });
        buf = buf.subarray(MAX_RECORD_CONTENT);
      } else break;
    }
    this.pending = Buffer.from(buf);
    return out;
  }

  /** The last line when the stream ended without a newline (written as a full line, like containerd). */
  flush(): Array<{ content: Buffer; partial: boolean }> {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length > 0 ? [{ content: rest, partial: false }] : [];
  }
}
