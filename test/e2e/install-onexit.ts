// vitest global setup, after the cluster's: installs onexit with its own chart, as a user would.
// ONEXIT_E2E_HELM_ARGS adds values (for example the image of a kind cluster).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { artifactRepositoryValue, artifactStore, createArtifactSecret } from "./artifact-store.ts";

export const RELEASE_NAMESPACE = "onexit";
export const WORKFLOW_NAMESPACES = ["default", "onexit-e2e"];
const ROOT = new URL("../..", import.meta.url).pathname;

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "inherit"] });
}

/** A change to the sources rolls the pods, so a long-lived dev cluster never runs stale code. */
export function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith(".ts")) hash.update(path).update(readFileSync(path));
    }
  };
  for (const dir of ["bin", "common", "coordinator", "webhook", "sidecar"]) walk(join(ROOT, dir));
  return hash.digest("hex").slice(0, 16);
}

const stateDir = (): string => process.env.ONEXIT_STATE || "/tmp/onexit-cluster";

/** Where the fault suite arms the coordinator's failpoints (faults/, coordinator/failpoints.ts): a
 * host directory, the same path in the coordinator's container. Inert while it holds no file. */
export function failpointsDir(): string {
  return join(stateDir(), "failpoints");
}

/** The local test cluster (test/cluster/), whose node is this host: not kind or another KUBECONFIG's. */
export function onLocalTestCluster(): boolean {
  const kubeconfig = process.env.KUBECONFIG;
  return kubeconfig !== undefined && resolve(kubeconfig) === resolve(stateDir(), "kubeconfig");
}

/** Test-only helm arguments for the local cluster: the failpoints directory, made writable by the
 * coordinator's non-root user, is mounted into its container by a post-renderer (the chart has no
 * such volume, so no user install gets one). Elsewhere failpoints stay unarmable. */
function failpointsArgs(): string[] {
  if (!onLocalTestCluster()) return [];
  mkdirSync(failpointsDir(), { recursive: true });
  chmodSync(failpointsDir(), 0o777);
  return [
    "--set",
    "coordinator.extraEnv[0].name=ONEXIT_FAILPOINTS_DIR",
    "--set-string",
    `coordinator.extraEnv[0].value=${failpointsDir()}`,
    "--post-renderer",
    process.execPath,
    "--post-renderer-args",
    join(ROOT, "faults/failpoints-post-renderer.ts"),
    "--post-renderer-args",
    failpointsDir(),
  ];
}

/** Helm arguments adding the coordinator's environment through `coordinator.extraEnv`, after the
 * failpoints' entry when there is one; give them to installOnexit (installOnexit() drops them). */
export function coordinatorEnvArgs(env: Record<string, string>): string[] {
  const first = failpointsArgs().length === 0 ? 0 : 1;
  return Object.entries(env).flatMap(([name, value], i) => [
    "--set",
    `coordinator.extraEnv[${first + i}].name=${name}`,
    "--set-string",
    `coordinator.extraEnv[${first + i}].value=${value}`,
  ]);
}

let builtFor: string | undefined;

/** The pods run the compiled entrypoint (dist/bin/onexit.js, as the image does), so dist/ is
 * rebuilt whenever the sources changed since this process last built it; the same source
 * hash rolls the pods. */
function buildDist(hash: string): void {
  if (builtFor === hash) return;
  execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(ROOT, "tsconfig.build.json")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  builtFor = hash;
}

export default function setup(): void {
  installOnexit();
}

/** `helm upgrade --install` with the e2e values, plus any extra arguments; waits for the rollout. */
export function installOnexit(extraArgs: string[] = []): void {
  const hash = sourceHash();
  buildDist(hash);
  for (const namespace of WORKFLOW_NAMESPACES) {
    run(
      "kubectl",
      ["apply", "-f", "-"],
      run("kubectl", ["create", "namespace", namespace, "--dry-run=client", "-o", "yaml"]),
    );
  }
  // The test cluster's SeaweedFS is the default artifact repository; its Secret is per namespace.
  const store = artifactStore();
  for (const namespace of WORKFLOW_NAMESPACES) createArtifactSecret(namespace, store);
  const repository =
    store === undefined
      ? []
      : ["--set-json", `artifactRepository=${JSON.stringify(artifactRepositoryValue(store))}`];
  const extra = (process.env.ONEXIT_E2E_HELM_ARGS ?? "").split(" ").filter((a) => a !== "");
  run("helm", [
    "upgrade",
    "--install",
    "onexit",
    join(ROOT, "charts/onexit"),
    "--namespace",
    RELEASE_NAMESPACE,
    "--create-namespace",
    "--set-string",
    `podAnnotations.onexit\\.dev/source-hash=${hash}`,
    ...failpointsArgs(),
    // A stuck step pod (stuck-pod.test.ts) ends in Error after 15 s instead of the default 3 min.
    "--set",
    "coordinator.stuckPodGraceSeconds=15",
    ...repository,
    "--wait",
    "--timeout",
    "5m",
    ...extra,
    ...extraArgs,
  ]);
}
