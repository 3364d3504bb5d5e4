// Command-line arguments of the node agent, parsed once at startup.

export interface AgentArgs {
  kubeconfig: string;
  stateDir: string;
  nodeName: string;
  nodeIp: string;
  bridge: string;
  podCidr: string;
  serviceCidr: string;
  kubeletPort: number;
  repo: string;
  /** First restart back-off in milliseconds (doubles up to maxBackoffMs). */
  backoffMs: number;
  maxBackoffMs: number;
}

const defaults: Omit<AgentArgs, "kubeconfig" | "stateDir" | "repo"> = {
  nodeName: "onexit-node",
  nodeIp: "10.250.0.1",
  bridge: "onexit0",
  podCidr: "10.250.0.0/16",
  serviceCidr: "10.96.0.0/16",
  kubeletPort: 10250,
  backoffMs: 10_000,
  maxBackoffMs: 300_000,
};

const flagToKey: Record<string, keyof AgentArgs> = {
  "--kubeconfig": "kubeconfig",
  "--state-dir": "stateDir",
  "--node-name": "nodeName",
  "--node-ip": "nodeIp",
  "--bridge": "bridge",
  "--pod-cidr": "podCidr",
  "--service-cidr": "serviceCidr",
  "--kubelet-port": "kubeletPort",
  "--repo": "repo",
  "--backoff-ms": "backoffMs",
  "--max-backoff-ms": "maxBackoffMs",
};

const numericKeys = new Set<keyof AgentArgs>(["kubeletPort", "backoffMs", "maxBackoffMs"]);

/** Parses `--flag value` and `--flag=value` pairs; throws on unknown flags or missing required ones. */
export function parseArgs(argv: readonly string[]): AgentArgs {
  const values: Record<string, string | number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const key = flagToKey[flag];
    if (key === undefined) throw new Error(`unknown argument ${arg}`);
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new Error(`${flag} needs a value`);
    values[key] = numericKeys.has(key) ? parseNumber(flag, raw) : raw;
  }
  for (const key of ["kubeconfig", "stateDir", "repo"] as const) {
    if (values[key] === undefined) throw new Error(`--${kebab(key)} is required`);
  }
  return values as unknown as AgentArgs;
}

function parseNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got ${raw}`);
  return n;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
