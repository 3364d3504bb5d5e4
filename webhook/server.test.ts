// Component test: the real wiring (startWebhook) on 127.0.0.1:0 with a self-signed
// certificate made by the openssl CLI; only loopback traffic.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfSigned } from "../common/testing/tls.ts";
import { createLogger } from "../common/log.ts";
import type { WebhookConfig } from "./config.ts";
import { DEFAULT_SIDECAR_RESOURCES, DEFAULT_SIDECAR_SECURITY_CONTEXT } from "./inject-config.ts";
import { createMetrics } from "./metrics.ts";
import { createMutateApp } from "./server.ts";
import { bigPodReview } from "./testing/reviews.ts";
import { startWebhook, type RunningWebhook } from "./webhook.ts";

interface Reply {
  status: number;
  body: string;
  fingerprint?: string;
}

function send(options: {
  port: number;
  path: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  ca?: string;
  tls?: boolean;
}): Promise<Reply> {
  const make = options.tls === false ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      {
        host: "127.0.0.1",
        port: options.port,
        path: options.path,
        method: options.method ?? "GET",
        headers: options.headers,
        ca: options.ca,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const socket = res.socket as TLSSocket;
          const fingerprint =
            typeof socket.getPeerCertificate === "function"
              ? socket.getPeerCertificate().fingerprint256
              : undefined;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), fingerprint });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const goodReview = readFileSync(
  join(import.meta.dirname, "testdata", "no-volumes-no-annotations.json"),
  "utf8",
);
const logLines: string[] = [];

describe("webhook server (in-process, HTTPS on 127.0.0.1)", () => {
  let dir: string;
  let files: { cert: string; key: string };
  let ca: string;
  let webhook: RunningWebhook;
  const post = (body: string | Buffer, contentType = "application/json"): Promise<Reply> =>
    send({
      port: webhook.port,
      path: "/mutate",
      method: "POST",
      body,
      ca,
      headers: { "content-type": contentType },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "onexit-webhook-"));
    files = selfSigned(dir, "tls");
    ca = readFileSync(files.cert, "utf8");
    writeFileSync(
      join(dir, "ca.crt"),
      "-----BEGIN CERTIFICATE-----\nCOORDINATOR\n-----END CERTIFICATE-----\n",
    );
    const config: WebhookConfig = {
      port: 0,
      metricsPort: 0,
      certFile: files.cert,
      keyFile: files.key,
      caFile: join(dir, "ca.crt"),
      image: "ghcr.io/onexit/onexit:test",
      resources: DEFAULT_SIDECAR_RESOURCES,
      securityContext: DEFAULT_SIDECAR_SECURITY_CONTEXT,
      coordinatorUrl: "https://coordinator.test:443",
      coordinatorUsername: "system:serviceaccount:onexit:onexit-coordinator",
      deadlineSeconds: 60,
      logLevel: "info",
    };
    const logger = createLogger({ write: (l) => logLines.push(l), now: () => new Date(0) });
    webhook = await startWebhook(config, {
      readFile,
      logger,
      nowMs: () => performance.now(),
      version: "test",
      host: "127.0.0.1",
      processMetrics: true,
      certPollMs: 0,
    });
  });

  afterAll(async () => {
    await webhook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("when a labelled pod CREATE is posted, then the answer is an allowed AdmissionReview with a JSON patch", async () => {
    const reply = await post(goodReview);
    expect(reply.status).toBe(200);
    const review = JSON.parse(reply.body) as {
      apiVersion: string;
      kind: string;
      response: Record<string, unknown>;
    };
    expect(review.apiVersion).toBe("admission.k8s.io/v1");
    expect(review.kind).toBe("AdmissionReview");
    expect(review.response).toMatchObject({
      uid: "uid-no-volumes-no-annotations",
      allowed: true,
      patchType: "JSONPatch",
    });
    const ops = JSON.parse(Buffer.from(String(review.response.patch), "base64").toString()) as {
      path: string;
    }[];
    expect(ops.map((o) => o.path)).toContain("/spec/containers/1");
    expect(reply.body).toContain(Buffer.from(JSON.stringify(ops)).toString("base64").slice(0, 20));
  });

  it("when the pod spec is ~1 MiB, then it passes the body limit and is injected", async () => {
    const { body, bytes } = bigPodReview(1024 * 1024);
    expect(bytes).toBeGreaterThan(1024 * 1024);
    const reply = await post(JSON.stringify(body));
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as { response: { patchType?: string } }).response.patchType).toBe(
      "JSONPatch",
    );
  });

  it("when the Content-Type is not JSON, then the answer is 415", async () => {
    const reply = await post(goodReview, "text/plain");
    expect(reply.status).toBe(415);
    expect(reply.body).toContain("application/json");
  });

  it("when the body is empty, then the answer is 400", async () => {
    const reply = await post("");
    expect(reply.status).toBe(400);
    expect(reply.body).toContain("empty body");
  });

  it("when the body is not JSON, then the answer is 400 saying so", async () => {
    const reply = await post("{not json");
    expect(reply.status).toBe(400);
    expect(reply.body).toContain("not valid JSON");
  });

  it("when the body is over 8 MiB, then the answer is 413", async () => {
    const reply = await post(Buffer.alloc(9 * 1024 * 1024, 0x20));
    expect(reply.status).toBe(413);
  });

  it("when the envelope is the wrong kind or version, then the answer is 400 with a clear message", async () => {
    const wrong = goodReview.replace('"admission.k8s.io/v1"', '"admission.k8s.io/v1beta1"');
    const reply = await post(wrong);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({
      error: "expected admission.k8s.io/v1 AdmissionReview, got admission.k8s.io/v1beta1/AdmissionReview",
    });
  });

  it("when the pod is garbage, then the answer is 200 with a denial that says why", async () => {
    const garbage = readFileSync(join(import.meta.dirname, "testdata", "garbage-object.json"), "utf8");
    const reply = await post(garbage);
    expect(reply.status).toBe(200);
    const response = (
      JSON.parse(reply.body) as { response: { allowed: boolean; status: { message: string } } }
    ).response;
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain("spec.containers");
  });

  it("when probes are asked on either port, then both answer ok", async () => {
    for (const path of ["/healthz", "/readyz"]) {
      expect((await send({ port: webhook.port, path, ca })).status).toBe(200);
      expect((await send({ port: webhook.metricsPort, path, tls: false })).status).toBe(200);
    }
  });

  it("when /metrics is scraped over plain HTTP, then it shows requests by outcome, the histogram and process metrics", async () => {
    const reply = await send({ port: webhook.metricsPort, path: "/metrics", tls: false });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/onexit_webhook_requests_total\{outcome="injected"\} [1-9]/);
    expect(reply.body).toMatch(/onexit_webhook_requests_total\{outcome="denied"\} 1/);
    expect(reply.body).toMatch(/onexit_webhook_requests_total\{outcome="error"\} [1-9]/);
    expect(reply.body).toContain('onexit_webhook_requests_total{outcome="skipped"} 0');
    expect(reply.body).toContain("onexit_webhook_admission_duration_seconds_bucket");
    expect(reply.body).toContain("process_cpu_user_seconds_total");
    expect(reply.body).toContain(
      'onexit_webhook_injection_skipped_total{reason="not_created_by_coordinator"} 0',
    );
  });

  it("when someone else creates a workflow-labelled pod, then it passes unchanged, counted and logged once", async () => {
    const foreign = goodReview.replace("system:serviceaccount:onexit:onexit-coordinator", "alice");
    expect(foreign).not.toBe(goodReview);
    const reply = await post(foreign);
    expect(reply.status).toBe(200);
    const response = (JSON.parse(reply.body) as { response: Record<string, unknown> }).response;
    expect(response).toEqual({ uid: "uid-no-volumes-no-annotations", allowed: true });
    const metrics = await send({ port: webhook.metricsPort, path: "/metrics", tls: false });
    expect(metrics.body).toContain(
      'onexit_webhook_injection_skipped_total{reason="not_created_by_coordinator"} 1',
    );
    const warned = logLines.filter((l) => l.includes("workflow-labelled pod not injected"));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain("alice");
  });

  it("when the certificate files are replaced, then new connections see the new certificate", async () => {
    const before = await send({ port: webhook.port, path: "/healthz", ca });
    const next = selfSigned(dir, "next");
    writeFileSync(files.cert, readFileSync(next.cert));
    writeFileSync(files.key, readFileSync(next.key));
    await webhook.certs.check();
    const after = await send({ port: webhook.port, path: "/healthz", ca: readFileSync(next.cert, "utf8") });
    expect(after.status).toBe(200);
    expect(after.fingerprint).toBeDefined();
    expect(after.fingerprint).not.toBe(before.fingerprint);
  });

  it("when the webhook is marked not ready, then /readyz answers 503", async () => {
    webhook.setReady(false);
    expect((await send({ port: webhook.metricsPort, path: "/readyz", tls: false })).status).toBe(503);
    webhook.setReady(true);
  });
});

describe("mutate app error handling", () => {
  it("when the review throws, then the answer is 500 and the error outcome is counted", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const app = createMutateApp({
      review: () => {
        throw new Error("boom");
      },
      metrics,
      logger: createLogger({ write: () => undefined, now: () => new Date(0) }),
      nowMs: () => 0,
      ready: () => true,
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const reply = await send({
      port,
      path: "/mutate",
      method: "POST",
      body: goodReview,
      headers: { "content-type": "application/json" },
      tls: false,
    });
    server.close();
    expect(reply.status).toBe(500);
    expect(reply.body).toContain("boom");
    expect(await metrics.registry.metrics()).toContain('onexit_webhook_requests_total{outcome="error"} 1');
  });
});
