// Leader election on a coordination.k8s.io/v1 Lease, with client-go's timing: a lease lasts 15 s,
// the leader renews every 2 s (retry period) and steps down if it could not renew for 10 s (renew
// deadline), so it stops working before anyone else can take over. A lease held by another is
// judged expired by this replica's own clock, from when it last saw the record change, so clock
// skew between nodes does not matter. On shutdown the leader releases the lease at once.
import type { V1Lease } from "@kubernetes/client-node";
import type { Logger } from "../common/log.ts";
import { apiErrorMessage, type KubeClient } from "./kube-client.ts";

export interface LeaderElectionOptions {
  client: Pick<KubeClient, "getLease" | "createLease" | "replaceLease">;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  now: () => number;
  delay: (ms: number, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  onStartedLeading: () => void;
  /** Awaited: the lease is released only after the work it guarded has stopped. */
  onStoppedLeading: () => void | Promise<void>;
}

/**
 * A Lease's MicroTime as the API server parses it (exactly six fractional digits). client-node
 * types it as Date but would send `toISOString()`'s three digits, which the server rejects.
 */
export function microTime(ms: number): Date {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as Date;
}

export type LeaseDecision = "acquire" | "renew" | "wait";

/** What to do with the lease as last seen: renew our own, wait on a live one, take an expired one. */
export function leaseDecision(seen: {
  holder: string | undefined;
  identity: string;
  /** When this replica last saw the lease record change (its own clock). */
  observedAt: number;
  leaseDurationMs: number;
  now: number;
}): LeaseDecision {
  if (seen.holder === seen.identity) return "renew";
  if (seen.holder === undefined || seen.holder === "") return "acquire";
  return seen.observedAt + seen.leaseDurationMs <= seen.now ? "acquire" : "wait";
}

export class LeaderElector {
  private readonly o: Required<Omit<LeaderElectionOptions, "onStartedLeading" | "onStoppedLeading">> &
    LeaderElectionOptions;
  private leading = false;
  private observed: string | undefined;
  private observedAt = 0;
  private lease: V1Lease | undefined;

  constructor(options: LeaderElectionOptions) {
    this.o = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns, leads and renews until `signal` aborts; then releases the lease if held. */
  async run(signal: AbortSignal): Promise<void> {
    let lastRenew = 0;
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew();
      const now = this.o.now();
      if (ok) lastRenew = now;
      if (ok && !this.leading) await this.setLeading(true);
      else if (!ok && this.leading && now - lastRenew >= this.o.renewDeadlineMs) await this.setLeading(false);
      await this.o.delay(this.o.retryPeriodMs, signal).catch(() => undefined);
    }
    if (this.leading) {
      await this.setLeading(false);
      await this.release();
    }
  }

  /** One attempt; true when this replica holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name } = this.o;
    const now = this.o.now();
    try {
      const current = await client.getLease(namespace, name);
      if (current === undefined) {
        this.lease = await client.createLease(namespace, this.record(undefined, now, 0, microTime(now)));
        return true;
      }
      const next = this.claim(current, now);
      if (next === undefined) return false;
      this.lease = await client.replaceLease(namespace, next);
      return true;
    } catch (err) {
      this.o.logger.warn("lease attempt failed", { lease: name, error: apiErrorMessage(err) });
      return false;
    }
  }

  /** The record to write to renew or take `current`, or undefined while another holds it. */
  private claim(current: V1Lease, now: number): V1Lease | undefined {
    const spec = current.spec ?? {};
    this.observe(current, now);
    const decision = leaseDecision({
      holder: spec.holderIdentity,
      identity: this.o.identity,
      observedAt: this.observedAt,
      leaseDurationMs: (spec.leaseDurationSeconds ?? this.o.leaseDurationMs / 1000) * 1000,
      now,
    });
    if (decision === "wait") return undefined;
    const transitions = (spec.leaseTransitions ?? 0) + (decision === "acquire" ? 1 : 0);
    const acquiredAt = decision === "renew" ? (spec.acquireTime ?? microTime(now)) : microTime(now);
    return this.record(current, now, transitions, acquiredAt);
  }

  /** Remembers when the record last changed, by this replica's clock. */
  private observe(current: V1Lease, now: number): void {
    const seen = JSON.stringify([
      current.spec?.holderIdentity,
      current.spec?.renewTime,
      current.metadata?.resourceVersion,
    ]);
    if (seen === this.observed) return;
    this.observed = seen;
    this.observedAt = now;
  }

  private record(current: V1Lease | undefined, now: number, transitions: number, acquiredAt: Date): V1Lease {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...(current?.metadata ?? {}), name: this.o.name, namespace: this.o.namespace },
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.round(this.o.leaseDurationMs / 1000),
        acquireTime: acquiredAt,
        renewTime: microTime(now),
        leaseTransitions: transitions,
      },
    };
  }

  /** Hands the lease back (empty holder, 1 s duration) so a standby takes over without waiting 15 s. */
  private async release(): Promise<void> {
    if (this.lease === undefined) return;
    try {
      const spec = this.lease.spec ?? {};
      await this.o.client.replaceLease(this.o.namespace, {
        ...this.lease,
        spec: { ...spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: microTime(this.o.now()) },
      });
      this.o.logger.info("lease released", { lease: this.o.name });
    } catch (err) {
      this.o.logger.warn("lease release failed", { lease: this.o.name, error: apiErrorMessage(err) });
    }
  }

  private async setLeading(leading: boolean): Promise<void> {
    this.leading = leading;
    this.o.logger.info(leading ? "became leader" : "stopped leading", {
      identity: this.o.identity,
      lease: this.o.name,
    });
    if (leading) this.o.onStartedLeading();
    else await this.o.onStoppedLeading();
  }
}
