// Pod IP allocation from the pod CIDR, starting at an offset; state persisted so restarts never reuse live IPs.
import { readFileSync, renameSync, writeFileSync } from "node:fs";

export interface IpamState {
  /** Next address (as a 32-bit number) to try. */
  next: number;
  /** Address → owner (pod UID). */
  allocated: Record<string, string>;
}

export interface IpRange {
  first: number;
  last: number;
}

export function ipToNumber(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function numberToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Addresses from `startIp` up to the CIDR's broadcast address (exclusive). */
export function rangeFor(cidr: string, startIp: string): IpRange {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const network = Math.floor(ipToNumber(base ?? "0.0.0.0") / size) * size;
  return { first: ipToNumber(startIp), last: network + size - 2 };
}

/** Allocates the next free address after the cursor (wrapping), or returns the owner's existing one. */
export function allocate(state: IpamState, owner: string, range: IpRange): { ip: string; state: IpamState } {
  const existing = Object.entries(state.allocated).find(([, o]) => o === owner);
  if (existing) return { ip: existing[0], state };
  const span = range.last - range.first + 1;
  const start = state.next >= range.first && state.next <= range.last ? state.next : range.first;
  for (let i = 0; i < span; i++) {
    const n = range.first + ((start - range.first + i) % span);
    const ip = numberToIp(n);
    if (state.allocated[ip] === undefined) {
      return {
        ip,
        state: {
          next: n + 1 > range.last ? range.first : n + 1,
          allocated: { ...state.allocated, [ip]: owner },
        },
      };
    }
  }
  throw new Error("pod IP range exhausted");
}

export function release(state: IpamState, owner: string): IpamState {
  const allocated = Object.fromEntries(Object.entries(state.allocated).filter(([, o]) => o !== owner));
  return { ...state, allocated };
}

/** Keeps only the owners in `live`. */
export function retain(state: IpamState, live: ReadonlySet<string>): IpamState {
  return {
    ...state,
    allocated: Object.fromEntries(Object.entries(state.allocated).filter(([, o]) => live.has(o))),
  };
}

/** File-backed allocator (the file is rewritten atomically on every change). */
export class IpAllocator {
  private state: IpamState;
  private readonly path: string;
  private readonly range: IpRange;

  constructor(path: string, range: IpRange) {
    this.path = path;
    this.range = range;
    try {
      this.state = JSON.parse(readFileSync(path, "utf8")) as IpamState;
    } catch {
      this.state = { next: range.first, allocated: {} };
    }
  }

  allocate(owner: string): string {
    const r = allocate(this.state, owner, this.range);
    this.save(r.state);
    return r.ip;
  }

  release(owner: string): void {
    this.save(release(this.state, owner));
  }

  retain(live: ReadonlySet<string>): void {
    this.save(retain(this.state, live));
  }

  private save(state: IpamState): void {
    this.state = state;
    writeFileSync(`${this.path}.tmp`, JSON.stringify(state));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
