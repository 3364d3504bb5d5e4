// The copier: `main`'s command run by a static busybox `sh` (copied into the artifacts volume
// by `onexit-init`, so `main`'s image needs no shell), which forwards SIGTERM to the command,
// and once it exits archives each declared output path into the volume for the sidecar to
// upload (tar + gzip, or the bare file for `archive: none`; `out/<i>.err` says why not), then
// exits with the command's code. Argo's emissary does the same job in Go. Pure: builds argv.
import type { ArtifactPlan } from "../common/artifact-plan.ts";
import { ARTIFACTS_MOUNT_PATH, COPIER_SUBPATH, outputSubPath } from "../common/artifact-plan.ts";

export const COPIER = `${ARTIFACTS_MOUNT_PATH}/${COPIER_SUBPATH}`;

/** POSIX single quotes: the text as one word, whatever it holds. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * busybox's sh runs its own applets before PATH's programs (`cat` would be busybox's), so the
 * command's name is looked up on main's PATH here and run by its full path. Started in the
 * background, so `wait` can be interrupted by the TERM trap; a non-interactive shell gives a
 * background command /dev/null as stdin (`stdin: true` containers are not supported with
 * output artifacts). After TERM, `wait` returns early: wait again until the command is gone.
 */
const RUN = `
B=${COPIER}
c=$1; shift
case $c in
*/*) ;;
*) f=; IFS=:; for d in $PATH; do if [ -z "$f" ] && [ -f "$d/$c" ] && [ -x "$d/$c" ]; then f=$d/$c; fi; done; unset IFS
   if [ -z "$f" ]; then echo "onexit copier: $c: executable file not found in PATH" >&2; exit 127; fi
   c=$f ;;
esac
"$c" "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM
while :; do wait $child; rc=$?; kill -0 $child 2>/dev/null || break; done
save() {
  o=${ARTIFACTS_MOUNT_PATH}/$1
  if [ ! -e "$2" ]; then echo "$2: no such file or directory" > "$o.err"; return; fi
  if [ "$3" = none ]; then
    if [ -d "$2" ]; then echo "$2: is a directory (archive: none takes a file)" > "$o.err"; return; fi
    $B cp "$2" "$o.part" 2> "$o.err" && $B mv "$o.part" "$o" && $B rm -f "$o.err"
  else
    $B tar -czf "$o.part" -C "$($B dirname "$2")" "$($B basename "$2")" 2> "$o.err" && $B mv "$o.part" "$o" && $B rm -f "$o.err"
  fi
}`;

/** The script: RUN, then one `save` per output, then the command's exit code. */
export function copierScript(plan: ArtifactPlan): string {
  const saves = plan.outputs.map(
    (output, i) => `save ${outputSubPath(i)} ${shellQuote(output.path)} ${output.archive}`,
  );
  return [RUN.trim(), ...saves, "exit $rc"].join("\n");
}

/** `main`'s new command: the copier's sh, its script, `$0`, then the original command (args stay). */
export function copierCommand(plan: ArtifactPlan, command: readonly string[]): string[] {
  return [COPIER, "sh", "-c", copierScript(plan), "onexit-copier", ...command];
}
