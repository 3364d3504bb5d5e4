import { describe, expect, it } from "vitest";
import { createLogger } from "./log.ts";
import { createCertReloader, type KeyPair } from "./cert-reloader.ts";

const pair = (text: string): KeyPair => ({
  cert: Buffer.from(`cert-${text}`),
  key: Buffer.from(`key-${text}`),
});

function setup(files: { current: KeyPair | Error }, applyThrows = false) {
  const applied: KeyPair[] = [];
  const lines: string[] = [];
  const reloader = createCertReloader(pair("a"), {
    load: async () => {
      if (files.current instanceof Error) throw files.current;
      return files.current;
    },
    apply: (next) => {
      if (applyThrows) throw new Error("key values mismatch");
      applied.push(next);
    },
    logger: createLogger({ write: (l) => lines.push(l), now: () => new Date(0) }),
  });
  return { reloader, applied, lines };
}

describe("createCertReloader", () => {
  it("when the files are unchanged, then nothing is applied", async () => {
    const { reloader, applied } = setup({ current: pair("a") });
    expect(await reloader.check()).toBe(false);
    expect(applied).toEqual([]);
  });

  it("when the files changed, then the new pair is applied once", async () => {
    const files = { current: pair("b") as KeyPair | Error };
    const { reloader, applied } = setup(files);
    expect(await reloader.check()).toBe(true);
    expect(await reloader.check()).toBe(false);
    expect(applied).toEqual([pair("b")]);
  });

  it("when the files cannot be read, then the old certificate stays and a warning is logged", async () => {
    const { reloader, lines } = setup({ current: new Error("ENOENT") });
    expect(await reloader.check()).toBe(false);
    expect(lines.join("")).toContain("level=warn");
  });

  it("when the new pair is unusable, then it is retried on the next check", async () => {
    const { reloader, lines } = setup({ current: pair("c") }, true);
    expect(await reloader.check()).toBe(false);
    expect(await reloader.check()).toBe(false);
    expect(lines.filter((l) => l.includes("unusable"))).toHaveLength(2);
  });
});
