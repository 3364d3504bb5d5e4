// Gets the cluster ready for the bench: onexit installed (the e2e suite's way, when it is not
// yet), the bench namespace (workflow pods need no RBAC: the sidecar reads through the
// coordinator's pod proxy), and cleanup.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Api } from "./api.ts";
import { WORKFLOWS_PATH } from "./workflows.ts";
// The e2e suite's install, so installing here does not roll its pods.
import { installOnexit } from "../test/e2e/install-onexit.ts";

export function toolsOnPath(): void {
  const bin = join(process.env.ONEXIT_CACHE ?? join(homedir(), ".cache/onexit"), "bin");
  if (existsSync(bin)) process.env.PATH = `${bin}:${process.env.PATH ?? ""}`;
}

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

function apply(yaml: string): void {
  run("kubectl", ["apply", "-f", "-"], yaml);
}

function onexitReady(): boolean {
  try {
    const out = run("kubectl", [
      "-n",
      "onexit",
      "get",
      "deploy",
      "-o",
      "jsonpath={.items[*].status.readyReplicas}",
    ]);
    return (
      out
        .trim()
        .split(/\s+/)
        .filter((n) => Number(n) > 0).length >= 2
    );
  } catch {
    return false;
  }
}

function namespaceYaml(name: string): string {
  return run("kubectl", ["create", "namespace", name, "--dry-run=client", "-o", "yaml"]);
}

export function ensureOnexit(log: (line: string) => void): void {
  if (onexitReady()) {
    log("onexit is installed and ready; leaving the release as it is");
    return;
  }
  log("installing onexit with its chart (helm upgrade --install --wait), as the e2e suite does");
  installOnexit();
}

export function ensureBenchNamespace(namespace: string): void {
  apply(namespaceYaml(namespace));
}

interface Listed {
  items: unknown[];
}

/** Deletes every workflow of the namespace and waits until their pods are gone too. */
export async function cleanNamespace(api: Api, namespace: string, timeoutMs = 180_000): Promise<void> {
  await api.delete(`${WORKFLOWS_PATH(namespace)}?propagationPolicy=Background`).catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [workflows, pods] = await Promise.all([
      api.get<Listed>(`${WORKFLOWS_PATH(namespace)}?limit=1`),
      api.get<Listed>(`/api/v1/namespaces/${namespace}/pods?limit=1`),
    ]);
    if (workflows.items.length === 0 && pods.items.length === 0) return;
    if (pods.items.length > 0 && workflows.items.length === 0)
      await api.delete(`/api/v1/namespaces/${namespace}/pods`).catch(() => undefined);
    await sleep(1000);
  }
  throw new Error(`namespace ${namespace} still has workflows or pods after ${timeoutMs / 1000}s`);
}
