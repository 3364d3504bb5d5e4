// vitest globalSetup of the e2e project. Without KUBECONFIG (or with the local cluster's
// own) it brings up the local test cluster (test/cluster/up.sh, idempotent and fast when
// it already runs) and points KUBECONFIG at it; with any other KUBECONFIG it uses that
// cluster (kind, ...) unchanged.
// The cluster is left running for fast reruns: `make cluster-down` stops it.
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    kubeconfig: string;
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export default function setup(project: TestProject): void {
  const cache = process.env.ONEXIT_CACHE || path.join(homedir(), ".cache", "onexit");
  const state = process.env.ONEXIT_STATE || "/tmp/onexit-cluster";
  process.env.ONEXIT_CACHE = cache;
  process.env.ONEXIT_STATE = state;
  // kubectl and helm built from the pinned modules come before whatever the machine has.
  const toolsBin = path.join(cache, "bin");
  const pathParts = (process.env.PATH ?? "").split(path.delimiter).filter((p) => p && p !== toolsBin);
  process.env.PATH = [toolsBin, ...pathParts].join(path.delimiter);

  const ownKubeconfig = path.resolve(state, "kubeconfig");
  // Our own cluster's kubeconfig counts as "not set": up.sh is idempotent (0.1 s when up).
  if (!process.env.KUBECONFIG || path.resolve(process.env.KUBECONFIG) === ownKubeconfig) {
    const up = spawnSync("bash", [path.join(repoRoot, "test/cluster/up.sh")], {
      cwd: repoRoot,
      env: process.env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    if (up.error) throw up.error;
    if (up.status !== 0) {
      throw new Error(`test/cluster/up.sh failed (exit ${up.status ?? up.signal}); see its output above`);
    }
    process.env.KUBECONFIG = ownKubeconfig;
  }
  // Workers inherit process.env; `inject("kubeconfig")` is there for code that prefers it.
  project.provide("kubeconfig", process.env.KUBECONFIG);
}
