// Per-pod network namespaces: veth into the bridge, an address from the pod CIDR, default route.
import { existsSync } from "node:fs";
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

/** Two `ip -batch` runs (host side, then inside the namespace) instead of a dozen processes. */
export function setupBatches(
  names: ReturnType<typeof networkNames>,
  ip: string,
  cfg: NetworkConfig,
): { host: string; pod: string } {
  const { netns, hostVeth, peer } = names;
  const host = [
    `netns add ${netns}`,
    `link add ${hostVeth} type veth peer name ${peer}`,
    `link set ${peer} netns ${netns}`,
    `link set ${hostVeth} master ${cfg.bridge}`,
    `link set ${hostVeth} type bridge_slave hairpin on`,
    `link set ${hostVeth} up`,
  ];
  const pod = [
    `link set ${peer} name eth0`,
    `addr add ${ip}/${cfg.prefixLength} dev eth0`,
    "link set eth0 up",
    "link set lo up",
    `route add default via ${cfg.gateway}`,
  ];
  return { host: `${host.join("\n")}\n`, pod: `${pod.join("\n")}\n` };
}

export async function setupPodNetwork(uid: string, ip: string, cfg: NetworkConfig): Promise<PodNetwork> {
  const names = networkNames(uid);
  const { netns, hostVeth } = names;
  if (existsSync(`/run/netns/${netns}`)) await teardownPodNetwork(netns, hostVeth);
  const batches = setupBatches(names, ip, cfg);
  try {
    await run("ip", ["-batch", "-"], batches.host);
    await run("ip", ["-n", netns, "-batch", "-"], batches.pod);
  } catch (err) {
    await teardownPodNetwork(netns, hostVeth);
    throw err;
  }
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
