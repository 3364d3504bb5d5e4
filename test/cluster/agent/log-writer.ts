// Writes a container's stdout/stderr as CRI records into one file, with back-pressure.
import { createWriteStream, writeFileSync, type WriteStream } from "node:fs";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { formatTimestamp, LineSplitter, recordHeader, type LogStream } from "./log-format.ts";

const startNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Wall-clock nanoseconds, strictly increasing within this process. */
let lastNs = 0n;
export function nowNs(): bigint {
  let ns = startNs + process.hrtime.bigint();
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

export interface LogWriter {
  /** Pipes a child's stream into the file; resolves when the stream ended and its last line is written. */
  attach(stream: LogStream, source: Readable): Promise<void>;
  /** Writes a line that did not come from the process (for example a start failure). */
  note(stream: LogStream, line: string): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  readonly closed: boolean;
}

export function createLogWriter(path: string): LogWriter {
  writeFileSync(path, "", { flag: "a" });
  const file: WriteStream = createWriteStream(path, { flags: "a" });
  let closed = false;
  file.on("error", (err) => console.error(`log writer ${path}: ${err.message}`));

  const writeRecords = (
    stream: LogStream,
    records: Array<{ content: Buffer; partial: boolean }>,
  ): boolean => {
    let ok = true;
    for (const r of records) {
      const header = Buffer.from(recordHeader(formatTimestamp(nowNs()), stream, r.partial));
      ok = file.write(Buffer.concat([header, r.content, Buffer.from("\n")])) && ok;
    }
    return ok;
  };

  return {
    get closed(): boolean {
      return closed;
    },
    async attach(stream, source): Promise<void> {
      const splitter = new LineSplitter();
      for await (const chunk of source) {
        if (!writeRecords(stream, splitter.push(chunk as Buffer)) && !file.destroyed)
          await once(file, "drain");
      }
      writeRecords(stream, splitter.flush());
    },
    note(stream, line): void {
      writeRecords(stream, [{ content: Buffer.from(line), partial: false }]);
    },
    async close(): Promise<void> {
      if (closed) return;
      await new Promise<void>((resolve) => file.end(resolve));
      closed = true;
    },
  };
}
