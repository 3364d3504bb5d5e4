import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { streamLog } from "./log-reader.ts";
import { createLogWriter } from "./log-writer.ts";

function sink(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      chunks.push(chunk);
      cb();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString() };
}

async function writeLog(lines: string): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), "onexit-log-")), "0.log");
  const w = createLogWriter(path);
  await w.attach("stdout", Readable.from([Buffer.from(lines)]));
  await w.close();
  return path;
}

const never = new AbortController().signal;

describe("log writer and reader", () => {
  it("when a log is read whole, then the lines come back in order", async () => {
    const path = await writeLog("a\nb\nc");
    const s = sink();
    await streamLog(
      { path, finished: () => true },
      { follow: false, previous: false, timestamps: false },
      s.out,
      never,
    );
    expect(s.text()).toBe("a\nb\nc\n");
  });

  it("when tailLines is given, then only the last lines come back", async () => {
    const path = await writeLog(Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n") + "\n");
    const s = sink();
    await streamLog(
      { path, finished: () => true },
      { follow: false, previous: false, timestamps: false, tailLines: 2 },
      s.out,
      never,
    );
    expect(s.text()).toBe("line 4998\nline 4999\n");
  });

  it("when timestamps and limitBytes are given, then lines are prefixed and cut at the limit", async () => {
    const path = await writeLog("hello\nworld\n");
    const s = sink();
    await streamLog(
      { path, finished: () => true },
      { follow: false, previous: false, timestamps: true, limitBytes: 37 },
      s.out,
      never,
    );
    expect(s.text()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z hello\n$/);
  });

  it("when since is after every record, then nothing comes back", async () => {
    const path = await writeLog("old\n");
    const s = sink();
    await streamLog(
      { path, finished: () => true },
      { follow: false, previous: false, timestamps: false, since: "2999-01-01T00:00:00.000000000Z" },
      s.out,
      never,
    );
    expect(s.text()).toBe("");
  });

  it("when following, then lines written later arrive and the stream ends once the writer finished", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "onexit-log-")), "0.log");
    const w = createLogWriter(path);
    const src = new PassThrough();
    const attached = w.attach("stdout", src);
    src.write("first\n");
    const s = sink();
    const reading = streamLog(
      { path, finished: () => w.closed },
      { follow: true, previous: false, timestamps: false },
      s.out,
      never,
    );
    await new Promise((r) => setTimeout(r, 250));
    src.end("second\n");
    await attached;
    await w.close();
    await reading;
    expect(s.text()).toBe("first\nsecond\n");
  });
});
