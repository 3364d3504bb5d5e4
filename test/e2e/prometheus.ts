// A real Prometheus (Debian's package) scraping onexit's pods through Kubernetes service
// discovery against the test cluster's API server, as a user's Prometheus would.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { waitFor } from "./kube.ts";

interface Kubeconfig {
  clusters: { cluster: { server: string; "certificate-authority-data"?: string } }[];
  users: { user: { "client-certificate-data"?: string; "client-key-data"?: string; token?: string } }[];
}

export interface RunningPrometheus {
  url: string;
  stop: () => Promise<void>;
  query: (promql: string) => Promise<number>;
}

function writeCredentials(dir: string, kubeconfigPath: string): Record<string, unknown> {
  const config = parse(readFileSync(kubeconfigPath, "utf8")) as Kubeconfig;
  const cluster = config.clusters[0]!.cluster;
  const user = config.users[0]!.user;
  const tls: Record<string, unknown> = {};
  const write = (name: string, base64: string | undefined): string | undefined => {
    if (base64 === undefined) return undefined;
    const path = join(dir, name);
    writeFileSync(path, Buffer.from(base64, "base64"));
    return path;
  };
  const ca = write("ca.crt", cluster["certificate-authority-data"]);
  if (ca) tls.ca_file = ca;
  const cert = write("client.crt", user["client-certificate-data"]);
  const key = write("client.key", user["client-key-data"]);
  if (cert && key) Object.assign(tls, { cert_file: cert, key_file: key });
  return { api_server: cluster.server, tls_config: tls, ...(user.token ? { bearer_token: user.token } : {}) };
}

export async function startPrometheus(namespace: string, port = 19090): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "onexit-prometheus-"));
  const sd = writeCredentials(dir, process.env.KUBECONFIG!);
  const config = {
    global: { scrape_interval: "1s", scrape_timeout: "1s" },
    scrape_configs: [
      {
        job_name: "onexit",
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] }, ...sd }],
        relabel_configs: [
          { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], regex: "true", action: "keep" },
          {
            source_labels: ["__meta_kubernetes_pod_ip", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
            regex: "(.+);(.+)",
            replacement: "$1:$2",
            target_label: "__address__",
          },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
          { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_component"], target_label: "component" },
        ],
      },
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
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  const query = async (promql: string): Promise<number> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    const first = body.data.result[0];
    return first === undefined ? 0 : Number(first.value[1]);
  };
  const stop = async (): Promise<void> => {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  };
  return { url, stop, query };
}
