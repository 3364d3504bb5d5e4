// A user who may create pods and ConfigMaps, but not Workflows, pre-creates objects under the
// names a workflow will use: the step's pod (whose `main` exits 0 while the real step exits 1) and
// the exit handler's log tails ConfigMap (with forged content). onexit must use neither: the step
// errs naming the pod, the handler runs once and reads the real log, and the intruder's objects
// are left as they were.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logTailsConfigMapName, podName } from "../../common/names.ts";
import { applyYaml, kubectl, kubectlJson, uniqueNamespace, waitFor } from "./kube.ts";
import { createWorkflow, handlerPods, logs, waitForWorkflowDone } from "./workflow-helpers.ts";

let ns = "";
let intruder: (args: string[], input?: string) => string = () => "";

interface Meta {
  metadata: { uid: string; ownerReferences?: unknown[]; labels?: Record<string, string> };
}

/** kubectl as the ServiceAccount `intruder`: only its token, no client certificate of the admin's. */
function kubectlWithToken(token: string): (args: string[], input?: string) => string {
  const cluster = kubectlJson<{
    clusters: {
      cluster: { server: string; "certificate-authority-data"?: string; "certificate-authority"?: string };
    }[];
  }>(["config", "view", "--raw", "--minify"]).clusters[0]?.cluster;
  if (cluster === undefined) throw new Error("no cluster in the kubeconfig");
  const file = path.join(mkdtempSync(path.join(tmpdir(), "onexit-intruder-")), "kubeconfig");
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster }],
      contexts: [{ name: "c", context: { cluster: "c", namespace: ns } }],
      "current-context": "c",
      users: [],
    }),
  );
  return (args, input) =>
    kubectl(["--kubeconfig", file, "--token", token, ...args], input === undefined ? {} : { input });
}

/** `kubectl auth can-i` as the intruder (it exits 1 when the answer is no). */
function intruderMay(verb: string, resource: string): boolean {
  try {
    return intruder(["auth", "can-i", verb, resource]).trim() === "yes";
  } catch (error) {
    if (error instanceof Error && /\): no$/.test(error.message)) return false;
    throw error;
  }
}

beforeAll(async () => {
  ns = await uniqueNamespace("ownership");
  applyYaml(
    `
apiVersion: v1
kind: ServiceAccount
metadata: { name: intruder }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: pods-and-configmaps }
rules:
- { apiGroups: [""], resources: [pods, configmaps], verbs: [create, get, list] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: intruder }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-and-configmaps }
subjects: [{ kind: ServiceAccount, name: intruder, namespace: ${ns} }]
`,
    ns,
  );
  intruder = kubectlWithToken(kubectl(["-n", ns, "create", "token", "intruder"]).trim());
});

afterAll(() => {
  if (ns !== "") kubectl(["delete", "namespace", ns, "--wait=false"]);
});

describe("objects under a workflow's names that onexit did not create", () => {
  it("when an intruder pre-creates the step's pod and the log tails ConfigMap, then neither is used, the handler runs once with the real log, and both are untouched", async () => {
    expect(intruderMay("create", "workflows.argoproj.io")).toBe(false);
    expect(intruderMay("create", "pods")).toBe(true);

    const name = `forge-${Date.now().toString(36)}`;
    const forgedPod = podName(name, `${name}[0].forged`, "work");
    const realPod = podName(name, `${name}[0].real`, "work");
    const configMap = logTailsConfigMapName(name);
    intruder(
      ["create", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: forgedPod, labels: { "workflows.argoproj.io/workflow": name } },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "main", image: "alpine:3.20", command: ["sh", "-c", "exit 0"] }],
        },
      }),
    );
    intruder(
      ["create", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: configMap },
        data: { [`${realPod}.log`]: "FORGED-CONTENT\n" },
      }),
    );
    const before = {
      pod: kubectlJson<Meta>(["-n", ns, "get", "pod", forgedPod]),
      configMap: kubectlJson<Meta>(["-n", ns, "get", "configmap", configMap]),
    };

    createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { name: ${name} }
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    steps:
    - - { name: forged, template: work }
      - { name: real, template: work }
  - name: work
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo REAL-LOG from {{pod.name}}; exit 1"] }
  - name: handler
    container:
      image: alpine:3.20
      command: [sh, -c]
      args: ["echo 'failures={{workflow.failures}}'; cat {{onexit.logDir}}/*"]
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(["Failed", "Error"]).toContain(workflow.status?.phase);
    const forgedNode = Object.values(workflow.status?.nodes ?? {}).find((n) => n.podName === forgedPod);
    expect(forgedNode?.phase).toBe("Error");
    expect(forgedNode?.message).toContain(`pod ${ns}/${forgedPod} exists and is not owned by this workflow`);
    expect(workflow.status?.message).toContain(forgedPod);

    const [handler, ...more] = handlerPods(ns, name);
    expect(more).toEqual([]);
    await waitFor(
      () =>
        ["Succeeded", "Failed"].includes(
          kubectl(["-n", ns, "get", "pod", handler?.name ?? "", "-o", "jsonpath={.status.phase}"]),
        ),
      { timeoutMs: 60_000, description: "the handler's pod to end" },
    );
    const handlerLog = logs(ns, handler?.name ?? "");
    expect(handlerLog).toContain(`REAL-LOG from ${realPod}`);
    expect(handlerLog).not.toContain("FORGED-CONTENT");
    expect(handlerLog).toContain(`${forgedPod} exists and is not owned by this workflow`);

    const reasons = kubectl([
      "-n",
      ns,
      "get",
      "events",
      "--field-selector",
      `involvedObject.name=${name}`,
      "-o",
      "jsonpath={.items[*].reason}",
    ]);
    expect(reasons).toContain("ForeignPod");
    expect(reasons).toContain("ExitHandlerLogs");

    const after = {
      pod: kubectlJson<Meta>(["-n", ns, "get", "pod", forgedPod]),
      configMap: kubectlJson<Meta & { data: Record<string, string> }>([
        "-n",
        ns,
        "get",
        "configmap",
        configMap,
      ]),
    };
    expect(after.pod.metadata.uid).toBe(before.pod.metadata.uid);
    expect(after.pod.metadata.ownerReferences).toBeUndefined();
    expect(after.pod.metadata.labels).toEqual({ "workflows.argoproj.io/workflow": name });
    expect(after.configMap.metadata.uid).toBe(before.configMap.metadata.uid);
    expect(after.configMap.metadata.ownerReferences).toBeUndefined();
    expect(after.configMap.data).toEqual({ [`${realPod}.log`]: "FORGED-CONTENT\n" });
  });
});
