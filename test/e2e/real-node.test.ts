// The test cluster's real node (ONEXIT_NODE=kubelet: kubelet, containerd, CNI bridge,
// kube-proxy, Service DNS): a container runs and logs through the kubelet, a Service reaches a
// pod by name and ClusterIP, and a pod reaches the API server through the `kubernetes` Service
// with its ServiceAccount token. Skipped on the process agent's node, which runs no containers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, kubectlJson, uniqueNamespace, waitFor } from "./kube.ts";

/** Images the examples use, imported into the node (test/cluster/images.sh), never pulled. */
const SHELL_IMAGE = "alpine:latest";
const NODE_IMAGE = "node:24-slim";

interface Pod {
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: Array<{ containerID?: string; state?: { terminated?: { exitCode: number } } }>;
  };
}

interface Node {
  status: { nodeInfo: { containerRuntimeVersion: string } };
}

const runtimes = kubectlJson<{ items: Node[] }>(["get", "nodes"]).items.map(
  (n) => n.status.nodeInfo.containerRuntimeVersion,
);
const realNode = runtimes.length > 0 && runtimes.every((r) => !r.startsWith("onexit://"));

let ns = "";

function shPod(name: string, script: string, extra = ""): string {
  return `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${SHELL_IMAGE}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, ${JSON.stringify(script)}]
${extra}`;
}

async function finished(name: string): Promise<Pod> {
  return waitFor(
    () => {
      const pod = kubectlJson<Pod>(["-n", ns, "get", "pod", name]);
      return ["Succeeded", "Failed"].includes(pod.status.phase) ? pod : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, description: `pod ${name} finished` },
  );
}

function exitCode(pod: Pod): number | undefined {
  return pod.status.containerStatuses?.[0]?.state?.terminated?.exitCode;
}

describe.skipIf(!realNode)("real node (kubelet + containerd)", () => {
  beforeAll(async () => {
    ns = await uniqueNamespace("real-node");
  });

  afterAll(() => {
    if (ns) kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("when a pod runs a shell script, then it exits in a container and kubectl logs shows its output", async () => {
    kubectl(["-n", ns, "create", "-f", "-"], {
      input: shPod("hello", "echo hello from $(hostname); echo to stderr >&2; exit 3"),
    });
    const pod = await finished("hello");
    expect(pod.status.phase).toBe("Failed");
    expect(exitCode(pod)).toBe(3);
    expect(pod.status.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
    const logs = kubectl(["-n", ns, "logs", "hello"]);
    expect(logs).toContain("hello from hello");
    expect(logs).toContain("to stderr");
  });

  it("when a Service selects a ready pod, then another pod reaches it by name and by ClusterIP", async () => {
    kubectl(["-n", ns, "create", "-f", "-"], {
      input:
        shPod(
          "web",
          "mkdir -p /www && echo served-by-web > /www/index.html && exec httpd -f -p 8080 -h /www",
          "    readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }\n",
        ) +
        `---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`,
    });
    await waitFor(
      () =>
        kubectl([
          "-n",
          ns,
          "get",
          "endpointslices",
          "-l",
          "kubernetes.io/service-name=web",
          "-o",
          "jsonpath={..addresses}",
        ]),
      { timeoutMs: 90_000, intervalMs: 500, description: "a ready endpoint of Service web" },
    );
    const clusterIP = kubectl(["-n", ns, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"]);
    // kube-proxy programs the Service's rules after the EndpointSlice is ready (its sync period):
    // until then the ClusterIP is refused, so the first call is retried, as a real client would.
    const firstCall = `n=0; until wget -qO- http://web/ 2>/dev/null; do n=$((n+1)); [ $n -lt 30 ] || exit 1; sleep 1; done`;
    kubectl(["-n", ns, "create", "-f", "-"], {
      input: shPod(
        "client",
        `${firstCall} && wget -qO- http://web.${ns}.svc.cluster.local/ && wget -qO- http://${clusterIP}/`,
      ),
    });
    const pod = await finished("client");
    const logs = kubectl(["-n", ns, "logs", "client"]);
    expect({ exitCode: exitCode(pod), logs }).toEqual({
      exitCode: 0,
      logs: "served-by-web\nserved-by-web\nserved-by-web\n",
    });
  });

  it("when a pod calls the kubernetes Service's ClusterIP with its token, then the API server knows its ServiceAccount", async () => {
    const clusterIP = kubectl([
      "-n",
      "default",
      "get",
      "service",
      "kubernetes",
      "-o",
      "jsonpath={.spec.clusterIP}",
    ]);
    // node's TLS client verifies the API server against the ServiceAccount's ca.crt.
    const script = `
      const fs = require("node:fs");
      const dir = "/var/run/secrets/kubernetes.io/serviceaccount";
      const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
      console.log("service host " + host);
      const req = require("node:https").request(
        { host, port, method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          ca: fs.readFileSync(dir + "/ca.crt"),
          headers: { authorization: "Bearer " + fs.readFileSync(dir + "/token", "utf8"), "content-type": "application/json" } },
        (res) => { res.setEncoding("utf8"); res.on("data", (d) => process.stdout.write(d)); res.on("end", () => process.exit(res.statusCode === 201 ? 0 : 1)); });
      req.on("error", (e) => { console.error(e.message); process.exit(2); });
      req.end(JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" }));`;
    kubectl(["-n", ns, "create", "-f", "-"], {
      input: `
apiVersion: v1
kind: Pod
metadata: { name: whoami }
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: ${NODE_IMAGE}
    imagePullPolicy: IfNotPresent
    command: [node, -e, ${JSON.stringify(script)}]
`,
    });
    const pod = await finished("whoami");
    const logs = kubectl(["-n", ns, "logs", "whoami"]);
    expect(exitCode(pod), logs).toBe(0);
    expect(logs).toContain(`service host ${clusterIP}`);
    expect(logs).toContain(`"username":"system:serviceaccount:${ns}:default"`);
  });
});
