// Component test: the metrics/probe server on 127.0.0.1:0; loopback only.
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../coordinator/metrics.ts";
import { startHealthServer, type RunningServer } from "./http-server.ts";

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("health server", () => {
  it("when scraped, then /metrics serves the registry and /healthz is ok", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    server = await startHealthServer({
      registry: metrics.registry,
      ready: () => true,
      notReady: "caches not synced",
      port: 0,
      host: "127.0.0.1",
    });
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("onexit_is_leader 0");
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
  });

  it("when the caches are not ready, then /readyz is 503 until they are", async () => {
    let ready = false;
    server = await startHealthServer({
      registry: createMetrics({ defaultMetrics: false }).registry,
      ready: () => ready,
      notReady: "caches not synced",
      port: 0,
      host: "127.0.0.1",
    });
    const notReady = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toBe("caches not synced");
    ready = true;
    expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
  });
});
