// The node agent's composition root: parse args, wire the parts, run until SIGTERM.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "node:https";
import type { V1EndpointSlice, V1Pod, V1Service } from "@kubernetes/client-node";
import { parseArgs } from "./args.ts";
import { startInformer, type RunningInformer } from "./informers.ts";
import { IpAllocator, rangeFor } from "./ip-allocator.ts";
import { createKubeClient } from "./kube-client.ts";
import { startLogServer } from "./log-server.ts";
import { removeLeftovers } from "./network.ts";
import { registerNode } from "./node-registration.ts";
import { PodManager } from "./pod-manager.ts";
import { PodRunner } from "./pod-runner.ts";
import { ServiceSync } from "./service-sync.ts";
import { servingCertificate } from "./tls.ts";

const SHUTDOWN_GRACE_MS = 5_000;

function log(message: string): void {
  console.log(`${new Date().toISOString()} ${message}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(join(args.stateDir, "pods"), { recursive: true });
  process.on("uncaughtException", (err) => console.error(`uncaught: ${err.stack ?? err.message}`));
  process.on("unhandledRejection", (err) =>
    console.error(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`),
  );

  // Binding the kubelet port first makes it the agent's singleton lock: a second agent started by
  // mistake fails here, before it could tear down the first one's namespaces and chains.
  const holder: { services?: ServiceSync; pods?: PodManager } = {};
  const { cert, key } = await servingCertificate(args.stateDir, args.nodeName, args.nodeIp);
  const server: Server = await startLogServer({
    host: args.nodeIp,
    port: args.kubeletPort,
    cert,
    key,
    lookup: (ns, pod, container, previous) =>
      holder.pods?.logSource(ns, pod, container, previous) ?? { status: 503, message: "node agent starting" },
  });
  log(`kubelet endpoint on https://${args.nodeIp}:${args.kubeletPort}`);

  const client = await createKubeClient(args.kubeconfig);
  await removeLeftovers();
  const ipam = new IpAllocator(join(args.stateDir, "ipam.json"), rangeFor(args.podCidr, "10.250.1.0"));
  const prefixLength = Number(args.podCidr.split("/")[1]);

  // The pod manager's runners read the services lazily, so it can be built first.
  const podManager = new PodManager({
    client,
    nodeName: args.nodeName,
    stateDir: args.stateDir,
    makeRunner: (pod, { podDir }) =>
      new PodRunner(pod, {
        client,
        ipam,
        network: { bridge: args.bridge, gateway: args.nodeIp, prefixLength },
        nodeName: args.nodeName,
        nodeIp: args.nodeIp,
        repo: args.repo,
        hostPath: process.env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        kubernetesService: { host: "10.96.0.1", port: "443" },
        backoff: { baseMs: args.backoffMs, maxMs: args.maxBackoffMs },
        podDir,
        services: () => holder.services?.hostsEntries() ?? [],
      }),
  });
  const proxy = new ServiceSync({
    serviceCidr: args.serviceCidr,
    bridge: args.bridge,
    onHostsChange: () => {
      for (const r of podManager.allRunners()) r.writeHosts().catch(() => undefined);
    },
  });
  holder.services = proxy;
  await proxy.install();

  holder.pods = podManager;

  const registration = await registerNode(client, {
    nodeName: args.nodeName,
    nodeIp: args.nodeIp,
    kubeletPort: args.kubeletPort,
    podCidr: args.podCidr,
  });
  log(`node ${args.nodeName} registered`);

  const informers: Array<RunningInformer<unknown>> = [];
  informers.push(
    await startInformer<V1Service>(client, "/api/v1/services", {
      add: (s) => proxy.setService(s),
      update: (s) => proxy.setService(s),
      delete: (s) => proxy.deleteService(s),
    }),
  );
  informers.push(
    await startInformer<V1EndpointSlice>(client, "/apis/discovery.k8s.io/v1/endpointslices", {
      add: (s) => proxy.setSlice(s),
      update: (s) => proxy.setSlice(s),
      delete: (s) => proxy.deleteSlice(s),
    }),
  );
  const pods = await startInformer<V1Pod>(client, "/api/v1/pods", {
    add: (p) => podManager.sync(p),
    update: (p) => podManager.sync(p),
    delete: (p) => podManager.remove(p),
  });
  informers.push(pods);
  const live = new Set(pods.list().map((p) => p.metadata?.uid ?? ""));
  podManager.collectGarbage(live);
  ipam.retain(new Set(podManager.allRunners().map((r) => r.uid)));
  log("watching pods, services and endpointslices");

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping pods and cleaning up`);
    registration.stop();
    await Promise.all(informers.map((i) => i.stop().catch(() => undefined)));
    await podManager.shutdown(SHUTDOWN_GRACE_MS);
    await proxy.cleanup();
    await removeLeftovers();
    server.close();
    server.closeAllConnections();
    log("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(`node agent failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
