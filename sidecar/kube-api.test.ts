// The minimal API client against an in-process HTTP server on 127.0.0.1 (a stand-in for
// the API server's wire format only; the end-to-end tests use the real one).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiLogOpener,
  apiWatch,
  forEachJsonLine,
  coordinatorEndpoint,
  statusMessage,
  type ApiEndpoint,
} from "./kube-api.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe("kube-api", () => {
  let server: Server;
  let handler: Handler = (_req, res) => res.end();
  let endpoint: ApiEndpoint;
  const seen: { url?: string; auth?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    let n = 0;
    endpoint = {
      server: `http://127.0.0.1:${port}`,
      requestOptions: async () => ({ headers: { authorization: `Bearer t${++n}` } }),
    };
  });

  afterAll(() => {
    server.close();
  });

  it("when watch events arrive split across chunks, then each is delivered whole, in order", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const text =
        '{"type":"ADDED","object":{"metadata":{"name":"p"}}}\n{"type":"MODIFIED","object":{"metadata":{"name":"ü"}}}\n';
      const bytes = Buffer.from(text);
      res.write(bytes.subarray(0, 10));
      res.write(bytes.subarray(10, 60));
      res.end(bytes.subarray(60));
    };
    const events: [string, unknown][] = [];
    const done = new Promise<unknown>((resolve) => {
      void apiWatch(endpoint)(
        "/api/v1/namespaces/ns/pods",
        { fieldSelector: "metadata.name=p" },
        (t, o) => events.push([t, o]),
        resolve,
      );
    });
    expect(await done).toBeNull();
    expect(events).toEqual([
      ["ADDED", { metadata: { name: "p" } }],
      ["MODIFIED", { metadata: { name: "ü" } }],
    ]);
    expect(seen.at(-1)?.url).toBe("/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dp&watch=true");
    expect(seen.at(-1)?.auth).toMatch(/^Bearer t\d+$/);
  });

  it("when the watch is refused, then done gets an error with the status", async () => {
    handler = (_req, res) => {
      res.writeHead(403);
      res.end('{"message":"forbidden"}');
    };
    const err = await new Promise<unknown>((resolve) => {
      void apiWatch(endpoint)("/api/v1/namespaces/ns/pods", {}, () => undefined, resolve);
    });
    expect(err).toBeInstanceOf(Error);
    expect((err as { statusCode: number }).statusCode).toBe(403);
    expect((err as Error).message).toContain("forbidden");
  });

  it("when the watch is aborted by its controller, then done is called without an error", async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write("");
    };
    let controller: AbortController | undefined;
    const done = new Promise<unknown>((resolve) => {
      void apiWatch(endpoint)("/x", {}, () => undefined, resolve).then((c) => {
        controller = c;
        setTimeout(() => c.abort(), 20);
      });
    });
    expect(await done).toBeNull();
    expect(controller?.signal.aborted).toBe(true);
  });

  it("when main's log is opened, then it asks for container=main with follow and streams the body", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("line 1\n");
      res.end("line 2\n");
    };
    const stream = await apiLogOpener(
      endpoint,
      { namespace: "ns", name: "p" },
      "main",
    )(AbortSignal.timeout(5000));
    let text = "";
    for await (const chunk of stream) text += Buffer.from(chunk).toString();
    expect(text).toBe("line 1\nline 2\n");
    expect(seen.at(-1)?.url).toBe("/api/v1/namespaces/ns/pods/p/log?container=main&follow=true");
  });

  it("when the container is still waiting, then opening the log fails with the server's message", async () => {
    handler = (_req, res) => {
      res.writeHead(400);
      res.end('container "main" in pod "p" is waiting to start');
    };
    const open = apiLogOpener(endpoint, { namespace: "ns", name: "p" }, "main");
    await expect(open(AbortSignal.timeout(5000))).rejects.toThrow(
      /400: container "main" in pod "p" is waiting/,
    );
  });
});

describe("statusMessage", () => {
  it("when the body is a metav1.Status, then its message is used", () => {
    expect(statusMessage('{"kind":"Status","message":"pods \\"x\\" not found","code":404}')).toBe(
      'pods "x" not found',
    );
    expect(statusMessage("plain text\n")).toBe("plain text");
  });
});

describe("forEachJsonLine", () => {
  it("when the last line has no newline, then it is still delivered", async () => {
    const values: unknown[] = [];
    await forEachJsonLine(Readable.from([Buffer.from('{"a":1}\n\n{"b":'), Buffer.from("2}")]), (v) =>
      values.push(v),
    );
    expect(values).toEqual([{ a: 1 }, { b: 2 }]);
  });
});

describe("coordinatorEndpoint", () => {
  it("when built, then the server is the coordinator's pod proxy and the report token is re-read for every request", async () => {
    let reads = 0;
    const endpoint = coordinatorEndpoint({
      coordinatorUrl: "https://onexit-coordinator.onexit.svc:8443/",
      ca: "CA PEM",
      tokenFile: "/var/run/onexit/token/token",
      readFile: async (path) => Buffer.from(`${path}#${++reads}\n`),
    });
    expect(endpoint.server).toBe("https://onexit-coordinator.onexit.svc:8443/v1/kube");
    expect(await endpoint.requestOptions()).toEqual({
      ca: "CA PEM",
      headers: { authorization: "Bearer /var/run/onexit/token/token#1" },
    });
    expect((await endpoint.requestOptions()).headers).toEqual({
      authorization: "Bearer /var/run/onexit/token/token#2",
    });
  });

  it("when no CA is configured, then the system trust store is used", async () => {
    const endpoint = coordinatorEndpoint({
      coordinatorUrl: "https://c",
      ca: "",
      tokenFile: "/t",
      readFile: async () => Buffer.from("tok"),
    });
    expect(await endpoint.requestOptions()).toEqual({ headers: { authorization: "Bearer tok" } });
  });
});
