import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { countProbe, resolvePort, runProbe, startStartupProber } from "./probes.ts";

describe("countProbe", () => {
  it("when failures reach the threshold, then the result turns false", () => {
    const probe = { failureThreshold: 2 };
    let s = { ok: true, successes: 0, failures: 0 };
    s = countProbe(s, false, probe);
    expect(s.ok).toBe(true);
    s = countProbe(s, false, probe);
    expect(s.ok).toBe(false);
    s = countProbe(s, true, probe);
    expect(s.ok).toBe(true);
  });
});

describe("resolvePort", () => {
  it("when the port is named, then the container port with that name is used", () => {
    expect(resolvePort("http", [{ name: "http", containerPort: 8080 }])).toBe(8080);
    expect(resolvePort("81", [])).toBe(81);
    expect(resolvePort("nope", [])).toBeUndefined();
  });
});

describe("runProbe", () => {
  it("when an httpGet probe hits a 200 and a 500, then it succeeds and fails", async () => {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === "/ok" ? 200 : 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const target = { podIP: "127.0.0.1", ports: [], pid: () => 0 };
    expect(await runProbe({ httpGet: { path: "/ok", port } }, target)).toBe(true);
    expect(await runProbe({ httpGet: { path: "/bad", port } }, target)).toBe(false);
    expect(await runProbe({ tcpSocket: { port } }, target)).toBe(true);
    server.close();
  });
});

describe("startStartupProber", () => {
  it("when the first probe succeeds, then the container counts as started", async () => {
    const server = http.createServer((_req, res) => res.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const outcome = await new Promise<string>((resolve) => {
      startStartupProber(
        { httpGet: { path: "/", port } },
        { podIP: "127.0.0.1", ports: [], pid: () => 0 },
        {
          onStarted: () => resolve("started"),
          onFailed: () => resolve("failed"),
        },
      );
    });
    server.close();
    expect(outcome).toBe("started");
  });

  it("when probes fail failureThreshold times, then the container has failed to start", async () => {
    const outcome = await new Promise<string>((resolve) => {
      startStartupProber(
        { tcpSocket: { port: 1 }, failureThreshold: 1 },
        { podIP: "127.0.0.1", ports: [], pid: () => 0 },
        {
          onStarted: () => resolve("started"),
          onFailed: () => resolve("failed"),
        },
      );
    });
    expect(outcome).toBe("failed");
  });
});
