// A real Prometheus (Debian's package) scraping onexit's pods. Debian builds it without
// Kubernetes service discovery, so the test does what that discovery would: it lists the
// pods annotated prometheus.io/scrape and writes them as file_sd targets.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlJson, waitFor } from "./kube.ts";

export interface RunningPrometheus {
  url: string;
  /** Re-lists the pods (after a restart or rollout) into the targets file. */
  refreshTargets: () => void;
  query: (promql: string) => Promise<number>;
  stop: () => Promise<void>;
}

interface PodList {
  items: {
    metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
    status: { podIP?: string; phase?: string };
  }[];
}

/** The relabelling a kubernetes_sd pod job would do, on the API's pod list. */
export function scrapeTargets(pods: PodList): { targets: string[]; labels: Record<string, string> }[] {
  return pods.items
    .filter((p) => p.metadata.annotations?.["prometheus.io/scrape"] === "true" && p.status.podIP)
    .filter((p) => p.status.phase === "Running")
    .map((p) => ({
      targets: [`${p.status.podIP}:${p.metadata.annotations?.["prometheus.io/port"] ?? "9090"}`],
      labels: {
        pod: p.metadata.name,
        component: p.metadata.labels?.["app.kubernetes.io/component"] ?? "",
      },
    }));
}

export async function startPrometheus(namespace: string, port = 19090): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "onexit-prometheus-"));
  const targetsFile = join(dir, "targets.json");
  const refreshTargets = (): void => {
    const targets = scrapeTargets(kubectlJson<PodList>(["-n", namespace, "get", "pods"]));
    writeFileSync(`${targetsFile}.tmp`, JSON.stringify(targets));
    renameSync(`${targetsFile}.tmp`, targetsFile);
  };
  refreshTargets();
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s" },
    scrape_configs: [
      { job_name: "onexit", file_sd_configs: [{ files: [targetsFile], refresh_interval: "1s" }] },
    ],
  };
  writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config));
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: "prometheus ready" },
  );
  const query = async (promql: string): Promise<number> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    const first = body.data.result[0];
    return first === undefined ? 0 : Number(first.value[1]);
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  };
  return { url, refreshTargets, query, stop };
}
