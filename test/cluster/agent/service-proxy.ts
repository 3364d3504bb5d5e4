// Pure translation of Services + EndpointSlices into iptables-restore input for the agent's chains.
import { createHash } from "node:crypto";
import type { V1EndpointSlice, V1Service } from "@kubernetes/client-node";

export const SERVICES_CHAIN = "ONEXIT-SERVICES";
export const POSTROUTING_CHAIN = "ONEXIT-POSTROUTING";
export const FORWARD_CHAIN = "ONEXIT-FORWARD";
export const REJECT_CHAIN = "ONEXIT-REJECT";
const SERVICE_CHAIN_PREFIX = "ONEXIT-SVC-";

export interface ServicePortRule {
  chain: string;
  comment: string;
  clusterIP: string;
  port: number;
  protocol: string;
  endpoints: string[];
}

export interface ProxyInput {
  services: readonly V1Service[];
  slices: readonly V1EndpointSlice[];
  serviceCidr: string;
  bridge: string;
}

function key(ns: string | undefined, name: string | undefined): string {
  return `${ns ?? ""}/${name ?? ""}`;
}

function chainName(svcKey: string, portName: string, protocol: string): string {
  const hash = createHash("sha256").update(`${svcKey}:${portName}:${protocol}`).digest("hex");
  return `${SERVICE_CHAIN_PREFIX}${hash.slice(0, 16).toUpperCase()}`;
}

/** Ready endpoint `ip:port` pairs for one named service port, from all of the Service's slices. */
function endpointsFor(slices: readonly V1EndpointSlice[], portName: string, protocol: string): string[] {
  const result = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    const port = (slice.ports ?? []).find(
      (p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol,
    );
    if (port?.port === undefined || port.port === null) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const ip = ep.addresses[0];
      if (ip !== undefined) result.add(`${ip}:${port.port}`);
    }
  }
  return [...result].sort();
}

export function serviceRules(input: Pick<ProxyInput, "services" | "slices">): ServicePortRule[] {
  const slicesBySvc = new Map<string, V1EndpointSlice[]>();
  for (const slice of input.slices) {
    const svcName = slice.metadata?.labels?.["kubernetes.io/service-name"];
    if (svcName === undefined) continue;
    const k = key(slice.metadata?.namespace, svcName);
    slicesBySvc.set(k, [...(slicesBySvc.get(k) ?? []), slice]);
  }
  const rules: ServicePortRule[] = [];
  for (const svc of input.services) {
    const clusterIP = svc.spec?.clusterIP;
    if (!clusterIP || clusterIP === "None" || svc.spec?.type === "ExternalName") continue;
    const svcKey = key(svc.metadata?.namespace, svc.metadata?.name);
    for (const p of svc.spec?.ports ?? []) {
      const protocol = p.protocol ?? "TCP";
      if (protocol === "SCTP") continue;
      const portName = p.name ?? "";
      rules.push({
        chain: chainName(svcKey, portName, protocol),
        comment: `${svcKey}:${portName}`,
        clusterIP,
        port: p.port,
        protocol,
        endpoints: endpointsFor(slicesBySvc.get(svcKey) ?? [], portName, protocol),
      });
    }
  }
  return rules.sort((a, b) => a.chain.localeCompare(b.chain));
}

function dnatLines(rule: ServicePortRule): string[] {
  const proto = rule.protocol.toLowerCase();
  return rule.endpoints.map((ep, i) => {
    const remaining = rule.endpoints.length - i;
    const random =
      remaining > 1 ? `-m statistic --mode random --probability ${(1 / remaining).toFixed(10)} ` : "";
    return `-A ${rule.chain} -p ${proto} ${random}-j DNAT --to-destination ${ep}`;
  });
}

/**
 * iptables-restore --noflush input that rewrites every chain the agent owns. Chains of services that
 * no longer exist (`previousChains` minus the current ones) are flushed and deleted.
 */
export function renderRestore(
  input: ProxyInput,
  previousChains: ReadonlySet<string>,
): { text: string; chains: Set<string> } {
  const rules = serviceRules(input);
  const withEndpoints = rules.filter((r) => r.endpoints.length > 0);
  const chains = new Set(withEndpoints.map((r) => r.chain));
  const stale = [...previousChains].filter((c) => !chains.has(c)).sort();
  const nat = ["*nat", `:${SERVICES_CHAIN} - [0:0]`, `:${POSTROUTING_CHAIN} - [0:0]`];
  for (const c of [...chains, ...stale]) nat.push(`:${c} - [0:0]`);
  for (const r of withEndpoints) {
    const comment = JSON.stringify(r.comment);
    nat.push(
      `-A ${SERVICES_CHAIN} -d ${r.clusterIP}/32 -p ${r.protocol.toLowerCase()} -m ${r.protocol.toLowerCase()} --dport ${r.port} -m comment --comment ${comment} -j ${r.chain}`,
    );
    nat.push(...dnatLines(r));
  }
  nat.push(
    `-A ${POSTROUTING_CHAIN} -m conntrack --ctstate DNAT --ctorigdst ${input.serviceCidr} -j MASQUERADE`,
  );
  for (const c of stale) nat.push(`-X ${c}`);
  nat.push("COMMIT");
  const filter = ["*filter", `:${REJECT_CHAIN} - [0:0]`, `:${FORWARD_CHAIN} - [0:0]`];
  for (const r of rules.filter((x) => x.endpoints.length === 0)) {
    const proto = r.protocol.toLowerCase();
    filter.push(
      `-A ${REJECT_CHAIN} -d ${r.clusterIP}/32 -p ${proto} -m ${proto} --dport ${r.port} -m comment --comment ${JSON.stringify(`${r.comment} has no endpoints`)} -j REJECT`,
    );
  }
  filter.push(
    `-A ${FORWARD_CHAIN} -i ${input.bridge} -j ACCEPT`,
    `-A ${FORWARD_CHAIN} -o ${input.bridge} -j ACCEPT`,
    "COMMIT",
  );
  return { text: `${[...nat, ...filter].join("\n")}\n`, chains };
}

/** Jumps from built-in chains into the agent's chains: [table, builtin chain, target]. */
export const jumps: ReadonlyArray<readonly [string, string, string]> = [
  ["nat", "PREROUTING", SERVICES_CHAIN],
  ["nat", "OUTPUT", SERVICES_CHAIN],
  ["nat", "POSTROUTING", POSTROUTING_CHAIN],
  ["filter", "FORWARD", REJECT_CHAIN],
  ["filter", "OUTPUT", REJECT_CHAIN],
  ["filter", "FORWARD", FORWARD_CHAIN],
];
