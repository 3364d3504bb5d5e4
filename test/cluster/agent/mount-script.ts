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
  /** A directory of this container's own on the host, where every source is held first. */
  stageDir: string;
  workingDir?: string;
}

// A mount can cover the path to a later mount's source: the agent's state lives under /tmp or
// /var/lib, and a container may mount a volume at /tmp. So every source is first bind-mounted
// into the stage directory, before anything is mounted, and fd 3 is opened on it; the mounts
// then take their sources through /proc/self/fd/3/<n>, which no later mount can cover
// (--no-canonicalize: resolving that path to text would walk the covered path again).
// A file is bound onto a file, created if absent; a directory onto a directory.
const prelude = [
  "set -e",
  'fail() { echo "onexit-agent: $*" >&2; exit 128; }',
  'hold() { if [ -d "$1" ]; then mkdir -p "$S/$2"; else [ -e "$S/$2" ] || : > "$S/$2"; fi',
  '  mount --bind "$1" "$S/$2" || fail "cannot mount $1 (held at $S/$2)"; }',
  'm() { src="/proc/self/fd/3/$1"',
  '  if [ -d "$src" ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; [ -e "$2" ] || : > "$2"; fi',
  '  mount --no-canonicalize --bind "$src" "$2" || fail "cannot mount $4 at $2"',
  '  if [ "$3" = ro ]; then mount -o remount,bind,ro "$2" || fail "cannot make $2 read-only"; fi; }',
];

/** Every mount the container gets, in order: its volumes (parents first), then /etc/hosts. */
function allMounts(input: ScriptInput): Mount[] {
  return [...input.mounts, { source: input.hostsFile, target: "/etc/hosts", readOnly: false }];
}

/** `sh -c` script: hold every source, mount volumes and /etc/hosts, set the hostname, cd, then exec "$@". */
export function mountScript(input: ScriptInput): string {
  const mounts = allMounts(input);
  const lines = [
    ...prelude,
    `S=${shellQuote(input.stageDir)}`,
    // A fresh tmpfs of this namespace's own: nothing left from an earlier attempt.
    'mkdir -p "$S" && mount -t tmpfs -o size=64k,mode=700 onexit-stage "$S" || fail "cannot mount a tmpfs at $S"',
  ];
  mounts.forEach((m, i) => lines.push(`hold ${shellQuote(m.source)} ${i}`));
  lines.push('exec 3<"$S" || fail "cannot open $S"');
  mounts.forEach((m, i) =>
    lines.push(`m ${i} ${shellQuote(m.target)} ${m.readOnly ? "ro" : "rw"} ${shellQuote(m.source)}`),
  );
  lines.push("exec 3<&-");
  lines.push(`hostname ${shellQuote(input.hostname)} 2>/dev/null || true`);
  if (input.workingDir)
    lines.push(`mkdir -p ${shellQuote(input.workingDir)}`, `cd ${shellQuote(input.workingDir)}`);
  lines.push('exec "$@"');
  return lines.join("\n");
}
