// The sidecar needs no RBAC: workflows run in a namespace nobody prepared for onexit, the
// sidecar reads its own pod and main's log through the coordinator, and workflow pods' own
// service-account tokens cannot read pods' logs. Pods the coordinator did not create are not
// injected, and the coordinator's pod proxy refuses them another pod's log.
import { spawnSync } from "node:child_process";
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, kubectlJson, uniqueNamespace } from "./kube.ts";
import {
  createWorkflow,
  handlerLog,
  logs,
  oneStepWorkflow,
  podsOfWorkflow,
  runPodWithCoordinatorToken,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

let ns = "";
let victim = "";

beforeAll(async () => {
  ns = await uniqueNamespace("no-rbac");
});

afterAll(() => {
  if (ns !== "") kubectl(["delete", "namespace", ns, "--wait=false"]);
});

/** GET on the API server with a bearer token only (no client certificate): the HTTP status. */
function apiStatus(path: string, token: string): Promise<number> {
  const config = kubectlJson<{
    clusters: { cluster: { server: string; "certificate-authority-data"?: string } }[];
  }>(["config", "view", "--raw", "--minify"]);
  const cluster = config.clusters[0]!.cluster;
  const caData = cluster["certificate-authority-data"];
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, cluster.server),
      {
        headers: { authorization: `Bearer ${token}` },
        ...(caData ? { ca: Buffer.from(caData, "base64") } : { rejectUnauthorized: false }),
        agent: false,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("workflows in a namespace without onexit RBAC", () => {
  it("when a workflow runs in a fresh namespace, then the sidecar follows main through the coordinator, reports, and the handler runs", async () => {
    expect(kubectl(["-n", ns, "get", "rolebindings", "-o", "name"])).toBe("");
    const name = createWorkflow(
      ns,
      oneStepWorkflow({ prefix: "fresh", step: "echo proxied", handler: "echo handler {{workflow.status}}" }),
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    // The log bytes come from the report: the sidecar followed main's log through the proxy.
    expect(workflow.status?.nodes?.[name]).toMatchObject({ phase: "Succeeded", logBytes: 8 });
    expect(await handlerLog(ns, name)).toContain("handler Succeeded");
    const step = podsOfWorkflow(ns, name).find((p) => p.name === name)!;
    expect(step.containers).toEqual(["main", "wait"]);
    expect(step.annotations["onexit.dev/report"]).toBeDefined();
    expect(logs(ns, name, "wait")).toContain("msg=reported");
    victim = name;
  });

  it("when a workflow pod's service account asks for a pod's log, then the API server refuses it", async () => {
    expect(victim).not.toBe("");
    const canI = spawnSync(
      "kubectl",
      [
        "auth",
        "can-i",
        "get",
        "pods",
        "--subresource=log",
        "-n",
        ns,
        `--as=system:serviceaccount:${ns}:default`,
      ],
      { encoding: "utf8" },
    );
    expect(canI.stdout.trim()).toBe("no");
    const token = kubectl(["-n", ns, "create", "token", "default"]).trim();
    expect(await apiStatus(`/api/v1/namespaces/${ns}/pods/${victim}/log?container=main`, token)).toBe(403);
    expect(
      await apiStatus(
        `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3D${victim}`,
        token,
      ),
    ).toBe(403);
  });

  it("when someone else creates a workflow-labelled pod, then it is not injected and the pod proxy refuses it another pod's log", async () => {
    expect(victim).not.toBe("");
    const intruder = `intruder-${Date.now()}`;
    const url = `https://onexit-coordinator.onexit.svc/v1/kube/api/v1/namespaces/${ns}/pods/${victim}/log?container=main`;
    const out = await runPodWithCoordinatorToken({
      namespace: ns,
      name: intruder,
      labels: { "workflows.argoproj.io/workflow": "intruder-wf" },
      script:
        `wget -q -S -O- --no-check-certificate --header "Authorization: Bearer $(cat /var/run/forge/token)" '${url}' 2>&1 ` +
        `|| curl -sk -o /dev/null -w 'HTTP/%{http_version} %{http_code}' -H "Authorization: Bearer $(cat /var/run/forge/token)" '${url}'`,
    });
    const pod = kubectlJson<{
      spec: { containers: { name: string }[] };
      metadata: { annotations?: Record<string, string> };
    }>(["-n", ns, "get", "pod", intruder]);
    kubectl(["-n", ns, "delete", "pod", intruder, "--wait=false"]);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(["main"]);
    expect(pod.metadata.annotations?.["onexit.dev/injected"]).toBeUndefined();
    expect(out).toMatch(/ 403\b/);
    expect(out).not.toContain("proxied");
  });
});
