// Pure: the shell script a container runs first, inside its own mount namespace, before exec'ing its command.
import type { V1Container } from "@kubernetes/client-node";
import { expandVars } from "./env.ts";

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The container's volume mounts resolved to host paths (parents before children), or an error. */
export function containerMounts(
  container: V1Container,
  volumeDirs: ReadonlyMap<string, string>,
  env: Record<string, string>,
): Mount[] | Error {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const dir = volumeDirs.get(vm.name);
    if (dir === undefined) return new Error(`volume mount ${vm.name}: no such volume`);
    const sub = vm.subPathExpr ? expandVars(vm.subPathExpr, env) : (vm.subPath ?? "");
    if (sub.split("/").includes("..") || sub.startsWith("/"))
      return new Error(`volume mount ${vm.name}: invalid subPath ${sub}`);
    mounts.push({
      source: sub ? `${dir}/${sub}` : dir,
      target: vm.mountPath,
      readOnly: vm.readOnly === true,
    });
  }
  return mounts.sort((a, b) => a.target.split("/").length - b.target.split("/").length);
}

export interface ScriptInput {
  mounts: readonly Mount[];
  hostsFile: string;
  hostname: string;
  workingDir?: string;
}

const prelude = [
  "set -e",
  'fail() { echo "onexit-agent: $*" >&2; exit 128; }',
  'm() { if [ -d "$1" ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; [ -e "$2" ] || : > "$2"; fi',
  '  mount --bind "$1" "$2" || fail "cannot mount $1 at $2"',
  '  if [ "$3" = ro ]; then mount -o remount,bind,ro "$2" || fail "cannot make $2 read-only"; fi; }',
];

/** `sh -c` script: mount volumes and /etc/hosts, set the hostname, cd, then exec "$@". */
export function mountScript(input: ScriptInput): string {
  const lines = [...prelude];
  for (const m of input.mounts)
    lines.push(`m ${shellQuote(m.source)} ${shellQuote(m.target)} ${m.readOnly ? "ro" : "rw"}`);
  lines.push(`mount --bind ${shellQuote(input.hostsFile)} /etc/hosts || fail "cannot mount /etc/hosts"`);
  lines.push(`hostname ${shellQuote(input.hostname)} 2>/dev/null || true`);
  if (input.workingDir)
    lines.push(`mkdir -p ${shellQuote(input.workingDir)}`, `cd ${shellQuote(input.workingDir)}`);
  lines.push('exec "$@"');
  return lines.join("\n");
}
