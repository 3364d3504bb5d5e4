// Component test: the real report app and HTTPS server on 127.0.0.1:0, a self-signed
// certificate made by the openssl CLI, the pure handler with in-memory deps; loopback only.
import type { V1Pod } from "@kubernetes/client-node";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSigned } from "../common/testing/tls.ts";
import { createLogger } from "../common/log.ts";
import { ANNOTATION_REPORT } from "../common/names.ts";
import { createMetrics } from "./metrics.ts";
import { handleReport } from "./report-handler.ts";
import { type RunningServer } from "../common/http-server.ts";
import { createReportApp, startReportServer } from "./report-server.ts";

interface Reply {
  status: number;
  body: string;
  fingerprint: string;
}

function post(port: number, body: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/reports",
        method: "POST",
        headers,
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const report = {
  podName: "wf",
  podUid: "uid-1",
  namespace: "default",
  exitCode: 0,
  reason: "Completed",
  startedAt: "2026-11-23T10:00:00Z",
  finishedAt: "2026-11-23T10:00:01Z",
  logBytes: 3,
  logLines: 1,
  logTail: "ok\n",
};

const json = { "content-type": "application/json", authorization: "Bearer good" };

describe("report server", () => {
  let dir: string;
  let server: RunningServer;
  let certs: {
    a: { cert: string; key: string };
    b: { cert: string; key: string };
    live: { cert: string; key: string };
  };
  const metrics = createMetrics({ defaultMetrics: false });
  const logs: string[] = [];
  const pod: V1Pod = {
    metadata: {
      name: "wf",
      namespace: "default",
      uid: "uid-1",
      resourceVersion: "1",
      labels: { "workflows.argoproj.io/workflow": "wf" },
    },
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "onexit-report-"));
    const a = selfSigned(dir, "a");
    const b = selfSigned(dir, "b");
    const live = { cert: join(dir, "tls.crt"), key: join(dir, "tls.key") };
    copyFileSync(a.cert, live.cert);
    copyFileSync(a.key, live.key);
    certs = { a, b, live };
    const app = createReportApp({
      logger: createLogger({ write: (l) => logs.push(l), now: () => new Date(0) }),
      metrics,
      handle: (req) =>
        handleReport(req, {
          reviewToken: async (token) =>
            token === "good"
              ? {
                  authenticated: true,
                  user: {
                    username: "system:serviceaccount:default:default",
                    extra: {
                      "authentication.kubernetes.io/pod-name": ["wf"],
                      "authentication.kubernetes.io/pod-uid": ["uid-1"],
                    },
                  },
                }
              : { authenticated: false },
          getPod: async () => structuredClone(pod),
          annotatePod: async (_p, key, value) => {
            pod.metadata!.annotations = { [key]: value };
          },
        }),
    });
    server = await startReportServer({
      app,
      port: 0,
      host: "127.0.0.1",
      tls: { certFile: live.cert, keyFile: live.key },
      readFile,
      logger: createLogger({ write: (l) => logs.push(l), now: () => new Date(0) }),
      certPollMs: 20,
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when the JSON is malformed, then it is 400 and counted as invalid", async () => {
    const res = await post(server.port, "{not json", json);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toContain("malformed request");
  });

  it("when the body is over 256 KiB, then it is 413", async () => {
    const res = await post(server.port, JSON.stringify({ ...report, logTail: "x".repeat(300 * 1024) }), json);
    expect(res.status).toBe(413);
  });

  it("when the token is not accepted, then it is 401 and the pod is untouched", async () => {
    const res = await post(server.port, JSON.stringify(report), { ...json, authorization: "Bearer bad" });
    expect(res.status).toBe(401);
    expect(pod.metadata?.annotations).toBeUndefined();
  });

  it("when a valid report arrives, then it is stored, acknowledged, logged and counted", async () => {
    const res = await post(server.port, JSON.stringify(report), json);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(JSON.parse(pod.metadata?.annotations?.[ANNOTATION_REPORT] ?? "{}").exitCode).toBe(0);
    expect(
      logs.some((l) => l.includes("msg=report outcome=accepted status=200 namespace=default pod=wf")),
    ).toBe(true);
    const text = await metrics.registry.metrics();
    expect(text).toContain('onexit_reports_total{outcome="accepted"} 1');
    expect(text).toContain('onexit_reports_total{outcome="invalid"} 2');
    expect(text).toContain('onexit_reports_total{outcome="unauthenticated"} 1');
  });

  it("when the certificate files change, then new connections get the new certificate", async () => {
    const fingerprint = (file: string): string =>
      execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", file])
        .toString()
        .split("=")[1]!
        .trim();
    const before = await post(server.port, "{}", json);
    expect(before.fingerprint).toBe(fingerprint(certs.a.cert));
    copyFileSync(certs.b.key, certs.live.key);
    copyFileSync(certs.b.cert, certs.live.cert);
    expect(readFileSync(certs.live.cert, "utf8")).toBe(readFileSync(certs.b.cert, "utf8"));
    let after = before;
    for (let i = 0; i < 100 && after.fingerprint === before.fingerprint; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = await post(server.port, "{}", json);
    }
    expect(after.fingerprint).toBe(fingerprint(certs.b.cert));
  });
});
