// A pod's sandbox: its network (own namespace or the host's) and its /etc/hosts file.
import { writeFile } from "node:fs/promises";
import type { V1Pod } from "@kubernetes/client-node";
import { podHostname } from "./container-prepare.ts";
import { renderHostsFile, type ServiceName } from "./hosts-file.ts";
import type { IpAllocator } from "./ip-allocator.ts";
import { setupPodNetwork, teardownPodNetwork, type NetworkConfig, type PodNetwork } from "./network.ts";

export interface SandboxDeps {
  ipam: IpAllocator;
  network: NetworkConfig;
  nodeIp: string;
}

/** Host-network pods share the node's address and namespace (netns ""). */
export function openSandbox(pod: V1Pod, deps: SandboxDeps): Promise<PodNetwork> {
  if (pod.spec?.hostNetwork) return Promise.resolve({ netns: "", hostVeth: "", ip: deps.nodeIp });
  const uid = pod.metadata?.uid ?? "";
  return setupPodNetwork(uid, deps.ipam.allocate(uid), deps.network);
}

/** Removes the namespace; `release` gives the IP back (not on agent shutdown: the pod keeps it). */
export async function closeSandbox(
  net: PodNetwork | undefined,
  uid: string,
  deps: SandboxDeps,
  release: boolean,
): Promise<void> {
  if (!net?.netns) return;
  await teardownPodNetwork(net.netns, net.hostVeth);
  if (release) deps.ipam.release(uid);
}

/** Rewrites the hosts file in place (it is bind-mounted, so its inode must stay). */
export async function writeHostsFile(
  path: string,
  pod: V1Pod,
  ip: string,
  services: readonly ServiceName[],
): Promise<void> {
  const text = renderHostsFile({
    podIP: ip,
    hostname: podHostname(pod),
    ...(pod.spec?.subdomain ? { subdomain: pod.spec.subdomain } : {}),
    namespace: pod.metadata?.namespace ?? "default",
    services,
  });
  await writeFile(path, text);
}
