import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ArtifactPlan, S3Repository } from "../common/artifact-plan.ts";
import { placeStream } from "./artifact-place.ts";
import { uploadArtifacts } from "./artifact-upload.ts";
import { prepareArtifacts } from "./artifacts-init.ts";
import type { ArtifactStore } from "./s3-store.ts";
import { recordingLogger } from "./testing/fakes.ts";

const repository: S3Repository = {
  endpoint: "store:8333",
  bucket: "b",
  insecure: true,
  region: "us-east-1",
  keyPrefix: "wf/p",
  accessKeySecret: { name: "s", key: "a" },
  secretKeySecret: { name: "s", key: "k" },
};

/** An in-memory store: what the sidecar and the init container do with S3, without one. */
function memoryStore(
  objects = new Map<string, Buffer>(),
  fail?: string,
): ArtifactStore & { objects: Map<string, Buffer> } {
  return {
    objects,
    async upload(key, body) {
      if (fail !== undefined)
        throw Object.assign(new Error(fail), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
      objects.set(key, Buffer.concat(chunks));
    },
    async download(key) {
      const object = objects.get(key);
      if (object === undefined)
        throw Object.assign(new Error("The specified key does not exist."), {
          name: "NoSuchKey",
          $metadata: { httpStatusCode: 404 },
        });
      return Readable.from([object]);
    },
  };
}

function tgzOf(dir: string, entry: string): Buffer {
  return spawnSync("tar", ["-czf", "-", "-C", dir, entry]).stdout;
}

describe("placeStream", () => {
  it("when the input is a tar.gz of one directory, then that directory becomes the path", async () => {
    const src = mkdtempSync(join(tmpdir(), "place-src-"));
    mkdirSync(join(src, "dir/sub"), { recursive: true });
    writeFileSync(join(src, "dir/sub/f"), "hi");
    const dest = join(mkdtempSync(join(tmpdir(), "place-")), "0");
    await placeStream(Readable.from([tgzOf(src, "dir")]), dest, { unpack: true });
    expect(readFileSync(join(dest, "sub/f"), "utf8")).toBe("hi");
  });

  it("when the input is not an archive, or unpacking is off, then it is placed as a file", async () => {
    const root = mkdtempSync(join(tmpdir(), "place-"));
    await placeStream(Readable.from([Buffer.from("plain")]), join(root, "a"), { unpack: true });
    expect(readFileSync(join(root, "a"), "utf8")).toBe("plain");
    const gz = Buffer.from([0x1f, 0x8b, 1, 2]);
    await placeStream(Readable.from([gz]), join(root, "b"), { unpack: false });
    expect(readFileSync(join(root, "b"))).toEqual(gz);
  });
});

describe("uploadArtifacts", () => {
  const plan: ArtifactPlan = {
    repository,
    outputs: [
      { name: "dir", path: "/tmp/dir", key: "wf/p/dir.tgz", archive: "tgz", optional: false },
      { name: "opt", path: "/tmp/opt", key: "wf/p/opt.tgz", archive: "tgz", optional: true },
      { name: "gone", path: "/tmp/gone", key: "wf/p/gone.tgz", archive: "tgz", optional: false },
    ],
    inputs: [],
    logsKey: "wf/p/main.log",
  };

  function volume(): string {
    const root = mkdtempSync(join(tmpdir(), "upload-"));
    mkdirSync(join(root, "out"));
    writeFileSync(join(root, "out/0"), "archive");
    writeFileSync(join(root, "out/1.err"), "/tmp/opt: no such file or directory\n");
    writeFileSync(join(root, "out/2.err"), "/tmp/gone: no such file or directory\n");
    return root;
  }

  it("when the copier archived some outputs, then they and the log are uploaded and the first required absence is the error", async () => {
    const store = memoryStore();
    const { logger } = recordingLogger();
    const outcome = await uploadArtifacts(plan, {
      root: volume(),
      store: async () => store,
      openLog: async () => Readable.from([Buffer.from("line 1\nline 2\n")]),
      logger,
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({
      uploaded: [
        { name: "dir", key: "wf/p/dir.tgz" },
        { name: "main-logs", key: "wf/p/main.log" },
      ],
      error: "output artifact gone: /tmp/gone: no such file or directory",
    });
    expect(store.objects.get("wf/p/main.log")?.toString()).toBe("line 1\nline 2\n");
  });

  it("when the store refuses, then the error names the artifact, the key and the store's answer", async () => {
    const { logger } = recordingLogger();
    const outcome = await uploadArtifacts(
      { ...plan, outputs: plan.outputs.slice(0, 1), logsKey: undefined },
      {
        root: volume(),
        store: async () => memoryStore(new Map(), "Access Denied."),
        openLog: async () => Readable.from([]),
        logger,
        signal: new AbortController().signal,
      },
    );
    expect(outcome).toEqual({
      uploaded: [],
      error: "output artifact dir: upload to s3://b/wf/p/dir.tgz: AccessDenied: Access Denied. (HTTP 403)",
    });
  });

  it("when the copier never ran, then a required output is reported as not archived", async () => {
    const root = mkdtempSync(join(tmpdir(), "upload-"));
    const { logger } = recordingLogger();
    const outcome = await uploadArtifacts(
      { ...plan, outputs: plan.outputs.slice(0, 1), logsKey: undefined },
      {
        root,
        store: async () => memoryStore(),
        openLog: async () => Readable.from([]),
        logger,
        signal: new AbortController().signal,
      },
    );
    expect(outcome.error).toBe("output artifact dir: not archived: main's command did not run to its end");
  });
});

describe("prepareArtifacts (onexit-init)", () => {
  function deps(root: string, store: ArtifactStore) {
    const copierSource = join(root, "busybox-src");
    writeFileSync(copierSource, "#!/bin/sh\n");
    const lines: string[] = [];
    return {
      lines,
      deps: {
        root,
        env: {},
        copierSources: [join(root, "absent"), copierSource],
        openStore: async () => store,
        fetch: (async () => new Response("from http")) as typeof fetch,
        log: (line: string) => lines.push(line),
      },
    };
  }

  it("when main has outputs and inputs, then the copier is in place, out/ is writable by anyone, and each input is at in/<i>", async () => {
    const root = mkdtempSync(join(tmpdir(), "init-"));
    const store = memoryStore(new Map([["k/logs/a.log", Buffer.from("failed a\n")]]));
    const { deps: d } = deps(root, store);
    await prepareArtifacts(
      {
        repository,
        outputs: [{ name: "o", path: "/o", key: "k", archive: "tgz", optional: false }],
        inputs: [
          {
            name: "r",
            path: "/r",
            source: { kind: "raw", data: "hello" },
            mode: 0o600,
            optional: false,
            unpack: true,
          },
          {
            name: "h",
            path: "/h",
            source: { kind: "http", url: "http://x/y" },
            optional: false,
            unpack: true,
          },
          {
            name: "l",
            path: "/l",
            source: { kind: "s3-files", files: [{ name: "a.log", key: "k/logs/a.log" }], repository },
            optional: false,
            unpack: false,
          },
          {
            name: "absent",
            path: "/x",
            source: { kind: "s3", key: "nope", repository },
            optional: true,
            unpack: true,
          },
        ],
      },
      d,
    );
    expect(statSync(join(root, "bin/busybox")).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, "out")).mode & 0o777).toBe(0o777);
    expect(readFileSync(join(root, "in/0"), "utf8")).toBe("hello");
    expect(statSync(join(root, "in/0")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, "in/1"), "utf8")).toBe("from http");
    expect(readdirSync(join(root, "in/2"))).toEqual(["a.log"]);
    expect(readdirSync(join(root, "in")).sort()).toEqual(["0", "1", "2"]);
  });

  it("when a required input is missing, then the error names the artifact, where it was looked for and the store's answer", async () => {
    const root = mkdtempSync(join(tmpdir(), "init-"));
    const { deps: d } = deps(root, memoryStore());
    await expect(
      prepareArtifacts(
        {
          outputs: [],
          inputs: [
            {
              name: "in",
              path: "/in",
              source: { kind: "s3", key: "wf/x.tgz", repository },
              optional: false,
              unpack: true,
            },
          ],
        },
        d,
      ),
    ).rejects.toThrow(
      "input artifact in: s3://b/wf/x.tgz: NoSuchKey: The specified key does not exist. (HTTP 404)",
    );
  });
});
