// Small helpers for end-to-end tests: the real kubectl against the cluster named by
// KUBECONFIG (set by global-setup.ts, or by the user for kind and friends).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `-f -`). */
  input?: string;
  /** Kills kubectl after this long (default 120 s). */
  timeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error. */
  description?: string;
}

/** The kubectl built by test/cluster/build.sh when there is one, else the one in PATH. */
export function kubectlPath(): string {
  const cache = process.env.ONEXIT_CACHE || path.join(homedir(), ".cache", "onexit");
  const built = path.join(cache, "bin", "kubectl");
  return existsSync(built) ? built : "kubectl";
}

/** Runs kubectl and returns its stdout; throws with its stderr when it exits non-zero. */
export function kubectl(args: string[], options: KubectlOptions = {}): string {
  const result = spawnSync(kubectlPath(), args, {
    env: process.env,
    input: options.input ?? "",
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs ?? 120_000,
  });
  if (result.error)
    throw new Error(`kubectl ${args.join(" ")}: ${result.error.message}`, { cause: result.error });
  if (result.status !== 0) {
    const why = result.signal ? `killed by ${result.signal}` : `exit ${result.status}`;
    throw new Error(
      `kubectl ${args.join(" ")} failed (${why}): ${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}

/** kubectl ... -o json, parsed. */
export function kubectlJson<T = unknown>(args: string[], options: KubectlOptions = {}): T {
  return JSON.parse(kubectl([...args, "-o", "json"], options)) as T;
}

/**
 * Calls fn until it returns something other than undefined/null/false and returns that.
 * Errors thrown by fn count as "not yet"; the last one is reported on timeout.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? "condition";
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** kubectl apply -f - (optionally in a namespace); returns kubectl's output. */
export function applyYaml(text: string, namespace?: string): string {
  const ns = namespace ? ["-n", namespace] : [];
  return kubectl([...ns, "apply", "-f", "-"], { input: text });
}

/**
 * Creates a namespace `<prefix>-<random>` labelled onexit.dev/e2e=true and waits for
 * its `default` ServiceAccount (pods are rejected until the controller makes it).
 */
export async function uniqueNamespace(prefix: string): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  const name = `${base || "e2e"}-${randomBytes(3).toString("hex")}`;
  kubectl(["create", "namespace", name]);
  kubectl(["label", "namespace", name, "onexit.dev/e2e=true"]);
  await waitFor(() => kubectl(["get", "serviceaccount", "default", "-n", name, "-o", "name"]), {
    timeoutMs: 30_000,
    description: `serviceaccount default in namespace ${name}`,
  });
  return name;
}
