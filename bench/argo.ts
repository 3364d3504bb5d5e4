// Switches the test cluster between onexit and Argo Workflows for the side-by-side runs: both
// own `workflows.argoproj.io`, so only one is installed at a time. Argo's CRDs come from the Go
// module cache at run time (never committed); its controller runs out of cluster as a child
// process of the bench, so the sampler can attribute its CPU.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { installOnexit, RELEASE_NAMESPACE } from "../test/e2e/install-onexit.ts";
import { stateDir } from "./processes.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const ONEXIT_CRD = join(ROOT, "charts/onexit/crds/workflows.yaml");
const EXECUTOR_ROLE = "argo-bench-executor";

function run(command: string, args: string[], input?: string): string {
  return execFileSync(command, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** The Argo version test/tools/argo/go.mod pins (the one build.sh built). */
export function argoVersion(): string {
  const goMod = readFileSync(join(ROOT, "test/tools/argo/go.mod"), "utf8");
  const match = /github\.com\/argoproj\/argo-workflows\/v4 (v\S+)/.exec(goMod);
  if (match?.[1] === undefined) throw new Error("test/tools/argo/go.mod does not pin argo-workflows/v4");
  return match[1];
}

/** Argo's 8 minimal CRDs, from the module cache copy `go mod download` left there. */
export function argoCrdFiles(): string[] {
  const modCache = run("go", ["env", "GOMODCACHE"]).trim();
  const dir = `${modCache}/github.com/argoproj/argo-workflows/v4@${argoVersion()}/manifests/base/crds/minimal`;
  return ARGO_CRDS.map((name) => `${dir}/argoproj.io_${name}.yaml`);
}

const ARGO_CRDS = [
  "clusterworkflowtemplates",
  "cronworkflows",
  "workflowartifactgctasks",
  "workfloweventbindings",
  "workflows",
  "workflowtaskresults",
  "workflowtasksets",
  "workflowtemplates",
];

/** Workflows left by anyone (e2e tests) may hold onexit's finalizer: with the coordinator gone
 * they would keep the CRD's deletion waiting forever. */
function dropWorkflowFinalizers(): void {
  const names = run("kubectl", [
    "get",
    "workflows.argoproj.io",
    "-A",
    "-o",
    'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.metadata.name}{"\\n"}{end}',
  ]);
  for (const line of names.split("\n").filter((l) => l.trim() !== "")) {
    const [namespace, name] = line.split(" ") as [string, string];
    run("kubectl", [
      "-n",
      namespace,
      "patch",
      "workflows.argoproj.io",
      name,
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
  }
}

/** Removes onexit (release, webhook, coordinator) and its CRD; the bench's workflows are gone already. */
export function uninstallOnexit(): void {
  run("helm", ["uninstall", "onexit", "--namespace", RELEASE_NAMESPACE, "--wait", "--timeout", "3m"]);
  run("kubectl", [
    "delete",
    "mutatingwebhookconfiguration",
    "-l",
    "app.kubernetes.io/instance=onexit",
    "--ignore-not-found",
  ]);
  dropWorkflowFinalizers();
  run("kubectl", [
    "delete",
    "crd",
    "workflows.argoproj.io",
    "--ignore-not-found",
    "--wait",
    "--timeout=120s",
  ]);
}

/** Argo's CRDs, its controller's ConfigMap and a Role for the executor's ServiceAccount. */
export function installArgo(namespace: string): void {
  for (const file of argoCrdFiles())
    run("kubectl", ["apply", "--server-side", "--force-conflicts", "-f", file]);
  run("kubectl", ["wait", "--for=condition=Established", "crd/workflows.argoproj.io", "--timeout=60s"]);
  const objects = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "workflow-controller-configmap", namespace },
      // Its metrics and telemetry servers stay off: their ports are not the bench's to take.
      data: { metricsConfig: "enabled: false\n", telemetryConfig: "enabled: false\n" },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: EXECUTOR_ROLE, namespace },
      rules: [
        {
          apiGroups: ["argoproj.io"],
          resources: ["workflowtaskresults"],
          verbs: ["create", "patch", "get", "list", "watch"],
        },
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "watch", "patch"] },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "watch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: EXECUTOR_ROLE, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: EXECUTOR_ROLE },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace }],
    },
  ];
  run("kubectl", ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
}

/** Argo's CRDs and the bench's Argo objects gone, onexit's CRD and release back, as found. */
export function restoreOnexit(namespace: string): void {
  run("kubectl", [
    "-n",
    namespace,
    "delete",
    "configmap/workflow-controller-configmap",
    `role/${EXECUTOR_ROLE}`,
    `rolebinding/${EXECUTOR_ROLE}`,
    "--ignore-not-found",
  ]);
  dropWorkflowFinalizers();
  run("kubectl", [
    "delete",
    "crd",
    ...ARGO_CRDS.map((n) => `${n}.argoproj.io`),
    "--ignore-not-found",
    "--wait",
    "--timeout=120s",
  ]);
  run("kubectl", ["apply", "--server-side", "--force-conflicts", "-f", ONEXIT_CRD]);
  run("kubectl", ["wait", "--for=condition=Established", "crd/workflows.argoproj.io", "--timeout=60s"]);
  installOnexit();
}

export interface ArgoController {
  pid: number;
  stop(): Promise<void>;
}

/** Argo's workflow-controller out of cluster, scoped to the bench namespace; `extraEnv` is how
 * a run changes its settings (DEFAULT_REQUEUE_TIME). It logs nothing once its informers have
 * synced, so "ready" is its start-up line plus a few seconds. */
export async function startArgoController(
  namespace: string,
  extraEnv: Record<string, string>,
): Promise<ArgoController> {
  const logPath = join(stateDir(), `workflow-controller-${Date.now()}.log`);
  const out = openSync(logPath, "a");
  const child: ChildProcess = spawn(
    "workflow-controller",
    ["--namespaced", "--namespace", namespace, "--managed-namespace", namespace, "--loglevel", "info"],
    { env: { ...process.env, LEADER_ELECTION_DISABLE: "true", ...extraEnv }, stdio: ["ignore", out, out] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!/Current Worker Numbers/.test(readFileSync(logPath, "utf8"))) {
    if (child.exitCode !== null)
      throw new Error(`workflow-controller exited (${child.exitCode}); log: ${logPath}`);
    if (Date.now() > deadline) throw new Error(`workflow-controller not ready after 120 s; log: ${logPath}`);
    await sleep(500);
  }
  await sleep(5_000);
  return {
    pid: child.pid ?? 0,
    async stop() {
      child.kill("SIGTERM");
      const killed = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killed);
    },
  };
}
