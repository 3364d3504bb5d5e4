// Argo's own CLI (built from its Go module by test/cluster/build.sh), run in kube mode (no
// argo-server) against the test cluster, as a user with Argo habits would.
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import path from "node:path";

export interface ArgoResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export const argoBinary = path.join(
  process.env.ONEXIT_CACHE || path.join(homedir(), ".cache", "onexit"),
  "bin",
  "argo",
);

/** `argo --kubeconfig $KUBECONFIG -n <namespace> ...args`; never throws on a non-zero exit (tests read it). */
export function runArgo(namespace: string, args: string[], input = ""): ArgoResult {
  // Kube mode (the CLI talks to the API server itself); TERM=dumb: no colour codes in the output.
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "dumb" };
  delete env.ARGO_SERVER;
  const result = spawnSync(
    argoBinary,
    ["--kubeconfig", process.env.KUBECONFIG ?? "", "-n", namespace, ...args],
    {
      env,
      input,
      encoding: "utf8",
      timeout: 170_000,
    },
  );
  if (result.error)
    throw new Error(`argo ${args.join(" ")}: ${result.error.message}`, { cause: result.error });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The rows of `argo get`'s node tree, as [marker, step name, template, pod name, duration, ...]. */
export function treeRows(getOutput: string): string[][] {
  const tree = getOutput.slice(getOutput.indexOf("\nSTEP") + 1);
  return tree
    .split("\n")
    .slice(1)
    .map((line) =>
      line
        .replace(/[│├└─┬┴┼]/g, " ")
        .trim()
        .split(/\s+/),
    )
    .filter((cells) => cells.length >= 3);
}
