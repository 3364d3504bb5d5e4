// Per-pod network namespaces: veth into the bridge, an address from the pod CIDR, default route.
import { run, execTool } from "./exec.ts";

export interface NetworkConfig {
  bridge: string;
  gateway: string;
  prefixLength: number;
}

export interface PodNetwork {
  netns: string;
  hostVeth: string;
  ip: string;
}

/** Names derived from the pod UID: netns `onexit-<id>`, host veth `ox<id>` (12 chars). */
export function networkNames(uid: string): { netns: string; hostVeth: string; peer: string } {
  const id = uid.replace(/-/g, "").slice(0, 10);
  return { netns: `onexit-${id}`, hostVeth: `ox${id}`, peer: `oxp${id}` };
}

export async function setupPodNetwork(uid: string, ip: string, cfg: NetworkConfig): Promise<PodNetwork> {
  const { netns, hostVeth, peer } = networkNames(uid);
  await teardownPodNetwork(netns, hostVeth);
  await run("ip", ["netns", "add", netns]);
  await run("ip", ["link", "add", hostVeth, "type", "veth", "peer", "name", peer]);
  await run("ip", ["link", "set", peer, "netns", netns]);
  await run("ip", ["link", "set", hostVeth, "master", cfg.bridge]);
  await run("ip", ["link", "set", hostVeth, "type", "bridge_slave", "hairpin", "on"]);
  await run("ip", ["link", "set", hostVeth, "up"]);
  const inNs = (args: string[]): Promise<string> => run("ip", ["-n", netns, ...args]);
  await inNs(["link", "set", peer, "name", "eth0"]);
  await inNs(["addr", "add", `${ip}/${cfg.prefixLength}`, "dev", "eth0"]);
  await inNs(["link", "set", "eth0", "up"]);
  await inNs(["link", "set", "lo", "up"]);
  await inNs(["route", "add", "default", "via", cfg.gateway]);
  return { netns, hostVeth, ip };
}

/** Kills whatever still runs in the namespace, then removes the veth and the namespace. Idempotent. */
export async function teardownPodNetwork(netns: string, hostVeth: string): Promise<void> {
  const pids = await execTool("ip", ["netns", "pids", netns]);
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
  await execTool("ip", ["link", "del", hostVeth]);
  await execTool("ip", ["netns", "del", netns]);
}

/** Network namespaces left by an earlier run of the agent. */
export async function leftoverNetns(): Promise<string[]> {
  const r = await execTool("ip", ["netns", "list"]);
  return r.stdout
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith("onexit-"));
}

export async function removeLeftovers(): Promise<void> {
  for (const netns of await leftoverNetns()) {
    await teardownPodNetwork(netns, `ox${netns.slice("onexit-".length)}`);
  }
}
