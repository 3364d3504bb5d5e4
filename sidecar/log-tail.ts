// Counts a log stream's bytes and lines and keeps only its last `maxBytes` bytes, in one
// fixed buffer, so memory stays flat whatever the volume. Pure: no I/O.

export interface LogTail {
  write(chunk: Uint8Array): void;
  /** Total bytes written. */
  readonly bytes: number;
  /** Newline-terminated lines, plus one for an unterminated last line. */
  readonly lines: number;
  /** The kept bytes as text: starts on a character boundary and is at most maxBytes of UTF-8. */
  text(): string;
}

const NEWLINE = 0x0a;

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** Index of the first byte that is not the continuation of a cut character. */
function firstCharacterStart(bytes: Buffer): number {
  let start = 0;
  while (start < bytes.length && start < 3 && isContinuation(bytes[start])) start++;
  return start;
}

/** End index that leaves out an incomplete multi-byte sequence at the very end. */
function lastCharacterEnd(bytes: Buffer, start: number): number {
  const end = bytes.length;
  let lead = end - 1;
  while (lead >= start && lead > end - 4 && isContinuation(bytes[lead])) lead--;
  const byte = lead >= start ? bytes[lead] : undefined;
  if (byte === undefined || byte < 0xc0) return end;
  const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
  return end - lead < need ? lead : end;
}

/** Drops a leading partial character and a trailing incomplete sequence, so decoding never invents bytes. */
function trimToCharacters(bytes: Buffer): Buffer {
  const start = firstCharacterStart(bytes);
  return bytes.subarray(start, lastCharacterEnd(bytes, start));
}

/** Decodes and, if invalid bytes grew into replacement characters, re-cuts to the byte limit. */
export function utf8Tail(bytes: Buffer, maxBytes: number): string {
  let text = trimToCharacters(bytes).toString("utf8");
  while (Buffer.byteLength(text) > maxBytes) {
    const encoded = Buffer.from(text, "utf8");
    text = trimToCharacters(encoded.subarray(encoded.length - maxBytes)).toString("utf8");
  }
  return text;
}

export function createLogTail(maxBytes: number): LogTail {
  const ring = Buffer.alloc(maxBytes);
  let position = 0;
  let filled = false;
  let bytes = 0;
  let newlines = 0;
  let lastByte: number | undefined;

  const keep = (chunk: Uint8Array): void => {
    const data = chunk.length > maxBytes ? chunk.subarray(chunk.length - maxBytes) : chunk;
    const first = Math.min(data.length, maxBytes - position);
    ring.set(data.subarray(0, first), position);
    ring.set(data.subarray(first), 0);
    const next = position + data.length;
    if (next >= maxBytes) filled = true;
    position = next % maxBytes;
  };

  return {
    write(chunk: Uint8Array): void {
      if (chunk.length === 0) return;
      bytes += chunk.length;
      for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) newlines++;
      lastByte = chunk[chunk.length - 1];
      if (maxBytes > 0) keep(chunk);
    },
    get bytes(): number {
      return bytes;
    },
    get lines(): number {
      return newlines + (lastByte !== undefined && lastByte !== NEWLINE ? 1 : 0);
    },
    text(): string {
      const kept = filled
        ? Buffer.concat([ring.subarray(position), ring.subarray(0, position)])
        : ring.subarray(0, position);
      return utf8Tail(kept, maxBytes);
    },
  };
}
