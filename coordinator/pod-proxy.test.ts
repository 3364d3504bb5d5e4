// Component test: the real report app with the pod proxy on 127.0.0.1:0 (plain HTTP), relaying
// to a small local HTTP server standing in for the API server; loopback only.
import { createServer, get, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type RunningServer } from "../common/http-server.ts";
import { createLogger } from "../common/log.ts";
import { LABEL_WORKFLOW } from "../common/names.ts";
import { createMetrics } from "./metrics.ts";
import { boundPodObject, createPodProxy } from "./pod-proxy.ts";
import { createReportApp, startReportServer } from "./report-server.ts";

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
}

function fetchText(port: number, path: string, token = "good"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get(
      { host: "127.0.0.1", port, path, headers: { authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers["content-type"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    ).on("error", reject);
  });
}

const pod: V1Pod = {
  metadata: { name: "wf-a", namespace: "ns1", uid: "uid-a", labels: { [LABEL_WORKFLOW]: "wf" } },
};
const LOG = "/v1/kube/api/v1/namespaces/ns1/pods/wf-a/log?container=main&follow=true";

describe("pod proxy", () => {
  let api: RunningServer;
  let proxy: RunningServer;
  const upstreamPaths: string[] = [];
  const upstreamClosed: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    // The stand-in API server: a log that arrives in two pieces, a watch that never ends, a 403.
    const apiServer = createServer((req: IncomingMessage, res: ServerResponse) => {
      upstreamPaths.push(req.url ?? "");
      req.socket.on("close", () => upstreamClosed.push(req.url ?? ""));
      if (req.url?.includes("/log")) {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("line one\n");
        setImmediate(() => res.end("line two\n"));
      } else if (req.url?.includes("watch=true")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`${JSON.stringify({ type: "ADDED", object: pod })}\n`);
      } else {
        res.writeHead(403, { "content-type": "application/json" }).end('{"message":"forbidden upstream"}');
      }
    });
    api = await listen(apiServer, 0, "127.0.0.1");
    const logger = createLogger({ write: () => undefined, now: () => new Date(0) });
    const app = createReportApp({
      logger,
      metrics,
      handle: async () => ({ status: 500, body: { error: "unused" }, outcome: "error", fields: {} }),
      podProxy: createPodProxy({
        metrics,
        logger,
        reviewToken: async (token) => {
          return token === "good"
            ? {
                authenticated: true,
                user: {
                  username: "system:serviceaccount:ns1:default",
                  extra: {
                    "authentication.kubernetes.io/pod-name": ["wf-a"],
                    "authentication.kubernetes.io/pod-uid": ["uid-a"],
                  },
                },
              }
            : { authenticated: false, error: "bad token" };
        },
        getPod: async (namespace, name) => (namespace === "ns1" && name === "wf-a" ? pod : undefined),
        openApiStream: (path, signal) =>
          new Promise((resolve, reject) => {
            get({ host: "127.0.0.1", port: api.port, path, signal, agent: false }, resolve).on(
              "error",
              reject,
            );
          }),
      }),
    });
    proxy = await startReportServer({ app, port: 0, host: "127.0.0.1", readFile, logger });
  });

  afterAll(async () => {
    await proxy.close();
    await api.close();
  });

  it("when the sidecar follows its main log, then the API server's stream comes through whole", async () => {
    const reply = await fetchText(proxy.port, LOG);
    expect(reply).toEqual({ status: 200, type: "text/plain", body: "line one\nline two\n" });
    expect(upstreamPaths).toContain("/api/v1/namespaces/ns1/pods/wf-a/log?container=main&follow=true");
    expect(await metrics.registry.metrics()).toContain(
      'onexit_pod_proxy_requests_total{kind="log",code="200"} 1',
    );
  });

  it("when the token is refused, then 401 with a JSON error and nothing is asked upstream", async () => {
    const before = upstreamPaths.length;
    const reply = await fetchText(proxy.port, LOG, "bad");
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body)).toEqual({ error: "token not accepted: bad token" });
    expect(upstreamPaths).toHaveLength(before);
  });

  it("when another pod's log is asked for, then 403 naming the bound pod", async () => {
    const reply = await fetchText(proxy.port, "/v1/kube/api/v1/namespaces/ns1/pods/wf-b/log?container=main");
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toEqual({ error: "token is bound to pod ns1/wf-a, not ns1/wf-b" });
    expect(await metrics.registry.metrics()).toMatch(
      /onexit_pod_proxy_requests_total\{kind="refused",code="403"\} [1-9]/,
    );
  });

  it("when anything else is asked for, then 404 with a JSON error", async () => {
    const reply = await fetchText(proxy.port, "/v1/kube/api/v1/namespaces/ns1/secrets");
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body).error).toMatch(/not relayed/);
  });

  it("when the API server refuses, then its status and message are relayed", async () => {
    // The stand-in API server answers 403 to a watch spelled watch=1.
    const refused = await fetchText(
      proxy.port,
      "/v1/kube/api/v1/namespaces/ns1/pods?watch=1&fieldSelector=metadata.name%3Dwf-a",
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("forbidden upstream");
  });

  it("when the sidecar hangs up on a watch, then the upstream request is closed too", async () => {
    const path = "/v1/kube/api/v1/namespaces/ns1/pods?watch=true&fieldSelector=metadata.name%3Dwf-a";
    const first = await new Promise<string>((resolve, reject) => {
      const req = get(
        {
          host: "127.0.0.1",
          port: proxy.port,
          path,
          headers: { authorization: "Bearer good" },
          agent: false,
        },
        (res) => {
          res.once("data", (c: Buffer) => {
            req.destroy();
            resolve(c.toString("utf8"));
          });
        },
      );
      req.on("error", () => undefined);
      setTimeout(() => reject(new Error("no first event")), 10_000).unref();
    });
    expect(JSON.parse(first)).toMatchObject({ type: "ADDED" });
    await expect.poll(() => upstreamClosed.some((u) => u.includes("watch=true"))).toBe(true);
  });
});

describe("boundPodObject", () => {
  const bound = { namespace: "ns1", name: "wf-a", uid: "uid-a" };
  const live: V1Pod = { metadata: { name: "wf-a", uid: "uid-a" } };

  it("when the informer holds the bound pod, then it is used and nothing is read from the API server", async () => {
    const gets: string[] = [];
    const found = await boundPodObject(bound, {
      cachedPod: () => live,
      getPod: async (namespace, name) => {
        gets.push(`${namespace}/${name}`);
        return undefined;
      },
    });
    expect(found).toBe(live);
    expect(gets).toEqual([]);
  });

  it("when the informer has not seen the pod, or holds a namesake with another uid, then the API server is asked", async () => {
    const getPod = async (): Promise<V1Pod> => live;
    expect(await boundPodObject(bound, { cachedPod: () => undefined, getPod })).toBe(live);
    const namesake: V1Pod = { metadata: { name: "wf-a", uid: "uid-old" } };
    expect(await boundPodObject(bound, { cachedPod: () => namesake, getPod })).toBe(live);
    expect(await boundPodObject(bound, { getPod })).toBe(live);
  });
});
