// Keeps the agent's iptables chains and the pods' hosts entries in sync with Services and EndpointSlices.
import type { V1EndpointSlice, V1Service } from "@kubernetes/client-node";
import { execTool, run } from "./exec.ts";
import type { ServiceName } from "./hosts-file.ts";
import {
  FORWARD_CHAIN,
  jumps,
  POSTROUTING_CHAIN,
  REJECT_CHAIN,
  renderRestore,
  SERVICES_CHAIN,
} from "./service-proxy.ts";

function key(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

export interface ServiceSyncOptions {
  serviceCidr: string;
  bridge: string;
  /** Called after the set of service names/IPs changed. */
  onHostsChange: () => void;
}

/** Chains named ONEXIT-* in a table, as iptables-save lists them. */
async function ownChains(table: string): Promise<string[]> {
  const r = await execTool("iptables-save", ["-t", table]);
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith(":ONEXIT-"))
    .map((l) => l.slice(1).split(" ")[0] ?? "");
}

export class ServiceSync {
  private readonly opts: ServiceSyncOptions;
  private readonly services = new Map<string, V1Service>();
  private readonly slices = new Map<string, V1EndpointSlice>();
  private chains = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private applying: Promise<void> = Promise.resolve();
  private lastHosts = "";
  private stopped = false;

  constructor(opts: ServiceSyncOptions) {
    this.opts = opts;
  }

  setService(svc: V1Service): void {
    this.services.set(key(svc), svc);
    this.schedule();
  }

  deleteService(svc: V1Service): void {
    this.services.delete(key(svc));
    this.schedule();
  }

  setSlice(slice: V1EndpointSlice): void {
    this.slices.set(key(slice), slice);
    this.schedule();
  }

  deleteSlice(slice: V1EndpointSlice): void {
    this.slices.delete(key(slice));
    this.schedule();
  }

  /** Every Service with a ClusterIP (headless ones with their ready endpoint addresses). */
  hostsEntries(): ServiceName[] {
    const entries: ServiceName[] = [];
    for (const svc of this.services.values()) {
      const name = svc.metadata?.name ?? "";
      const namespace = svc.metadata?.namespace ?? "";
      const ip = svc.spec?.clusterIP;
      if (ip && ip !== "None") {
        entries.push({ name, namespace, ips: [ip] });
        continue;
      }
      const ips = new Set<string>();
      for (const slice of this.slices.values()) {
        if (
          slice.metadata?.namespace !== namespace ||
          slice.metadata?.labels?.["kubernetes.io/service-name"] !== name
        )
          continue;
        for (const ep of slice.endpoints ?? [])
          if (ep.conditions?.ready !== false && ep.addresses[0]) ips.add(ep.addresses[0]);
      }
      if (ips.size > 0) entries.push({ name, namespace, ips: [...ips].sort() });
    }
    return entries;
  }

  /** Removes leftovers of an earlier run, installs empty chains and the jumps into them. */
  async install(): Promise<void> {
    await this.removeJumps();
    this.chains = new Set(
      [...(await ownChains("nat")), ...(await ownChains("filter"))].filter((c) =>
        c.startsWith("ONEXIT-SVC-"),
      ),
    );
    await this.apply();
    for (const [table, chain, target] of [...jumps].reverse()) {
      await run("iptables", ["-w", "-t", table, "-I", chain, "1", "-j", target]);
    }
  }

  schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.applying = this.applying
        .then(() => this.apply())
        .catch((err: unknown) => console.error(`service sync: ${(err as Error).message}`));
    }, 100);
  }

  private async apply(): Promise<void> {
    if (this.stopped) return;
    const { text, chains } = renderRestore(
      {
        services: [...this.services.values()],
        slices: [...this.slices.values()],
        serviceCidr: this.opts.serviceCidr,
        bridge: this.opts.bridge,
      },
      this.chains,
    );
    await run("iptables-restore", ["-w", "--noflush"], text);
    this.chains = chains;
    const hosts = JSON.stringify(this.hostsEntries());
    if (hosts !== this.lastHosts) {
      this.lastHosts = hosts;
      this.opts.onHostsChange();
    }
  }

  private async removeJumps(): Promise<void> {
    for (const [table, chain, target] of jumps) {
      for (let i = 0; i < 10; i++) {
        const r = await execTool("iptables", ["-w", "-t", table, "-D", chain, "-j", target]);
        if (r.code !== 0) break;
      }
    }
  }

  /** Removes the jumps and every ONEXIT-* chain. */
  async cleanup(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.applying;
    await this.removeJumps();
    for (const table of ["nat", "filter"]) {
      const chains = await ownChains(table);
      if (chains.length === 0) continue;
      const text = [
        `*${table}`,
        ...chains.map((c) => `:${c} - [0:0]`),
        ...chains.map((c) => `-X ${c}`),
        "COMMIT",
        "",
      ].join("\n");
      const r = await execTool("iptables-restore", ["-w", "--noflush"], text);
      if (r.code !== 0) console.error(`iptables cleanup (${table}): ${r.stderr.trim()}`);
    }
  }
}

export const ownChainNames = [SERVICES_CHAIN, POSTROUTING_CHAIN, REJECT_CHAIN, FORWARD_CHAIN];
