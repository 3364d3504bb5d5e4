// The real poster against an in-process HTTPS server on 127.0.0.1 with a throwaway CA.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpsPoster } from "./https-post.ts";

describe("httpsPoster", () => {
  let dir: string;
  let ca: string;
  let server: Server;
  let url: string;
  const seen: { path?: string; auth?: string; type?: string; body: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "onexit-post-"));
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", join(dir, "k"), "-out", join(dir, "c"), "-days", "1", "-subj", "/CN=localhost"],
        ...["-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(join(dir, "c"), "utf8");
    server = createServer({ cert: ca, key: readFileSync(join(dir, "k")) }, (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += String(c)));
      req.on("end", () => {
        seen.push({
          path: req.url,
          auth: req.headers.authorization,
          type: req.headers["content-type"],
          body,
        });
        res.writeHead(body.includes("bad") ? 400 : 200, { "content-type": "application/json" });
        res.end(body.includes("bad") ? '{"error":"bad report"}' : "{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when posting with the right CA, then the report goes to /v1/reports with the bearer token", async () => {
    const result = await httpsPoster(url, ca)('{"ok":1}', "tok", AbortSignal.timeout(5000));
    expect(result).toEqual({ status: 200, body: "{}" });
    expect(seen.at(-1)).toEqual({
      path: "/v1/reports",
      auth: "Bearer tok",
      type: "application/json",
      body: '{"ok":1}',
    });
  });

  it("when the coordinator refuses, then the status and body come back", async () => {
    const result = await httpsPoster(`${url}/`, ca)('"bad"', "tok", AbortSignal.timeout(5000));
    expect(result).toEqual({ status: 400, body: '{"error":"bad report"}' });
  });

  it("when the server's certificate is not signed by the given CA, then the attempt fails", async () => {
    await expect(httpsPoster(url, undefined)("{}", "tok", AbortSignal.timeout(5000))).rejects.toThrow();
  });
});
