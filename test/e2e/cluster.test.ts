// The test cluster itself, through the real kubectl: pods run, log, exit, restart, probe,
// reach Services by name and authenticate with their projected tokens. Every image and
// command here also exists on a real cluster (kind), so the suite runs unchanged there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, kubectlJson, uniqueNamespace, waitFor } from "./kube.ts";

interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: {
    running?: { startedAt: string };
    terminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string };
    waiting?: { reason: string };
  };
}

interface Pod {
  metadata: { name: string; uid: string; namespace: string };
  spec: { nodeName?: string };
  status: {
    phase: string;
    reason?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

let ns = "";

function getPod(name: string): Pod {
  return kubectlJson<Pod>(["-n", ns, "get", "pod", name]);
}

function createPod(yaml: string): void {
  kubectl(["-n", ns, "create", "-f", "-"], { input: yaml });
}

async function waitForPhase(name: string, phases: string[], timeoutMs = 90_000): Promise<Pod> {
  return waitFor(
    () => {
      const pod = getPod(name);
      return phases.includes(pod.status.phase) ? pod : undefined;
    },
    { timeoutMs, intervalMs: 300, description: `pod ${name} in phase ${phases.join("/")}` },
  );
}

/** A pod with one container running `script` in sh (alpine has sh everywhere). */
function shPod(name: string, script: string, extra = "", restartPolicy = "Never"): string {
  return `
apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: alpine:3.20
    command: [sh, -c]
    args: [${JSON.stringify(script)}]
${extra}`;
}

beforeAll(async () => {
  ns = await uniqueNamespace("cluster");
});

afterAll(() => {
  if (ns) kubectl(["delete", "namespace", ns, "--wait=false"]);
});

describe("test cluster", () => {
  it("when a namespace is created, then it gets its default service account", async () => {
    const other = `sa-${Date.now().toString(36)}`;
    kubectl(["create", "namespace", other]);
    try {
      const sa = await waitFor(
        () => kubectl(["-n", other, "get", "serviceaccount", "default", "-o", "name"]),
        {
          timeoutMs: 30_000,
          description: "the default service account",
        },
      );
      expect(sa.trim()).toBe("serviceaccount/default");
    } finally {
      kubectl(["delete", "namespace", other, "--wait=false"]);
    }
  });

  it("when a pod echoes hello and exits 3, then kubectl logs prints hello and the pod Failed with exit code 3", async () => {
    createPod(shPod("exit3", "echo hello; exit 3"));
    const pod = await waitForPhase("exit3", ["Failed", "Succeeded"]);
    expect(pod.status.phase).toBe("Failed");
    expect(pod.spec.nodeName).toBeTruthy();
    expect(pod.status.podIP).toBeTruthy();
    const terminated = pod.status.containerStatuses?.[0]?.state?.terminated;
    expect(terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(Date.parse(terminated?.finishedAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(terminated?.startedAt ?? ""),
    );
    expect(kubectl(["-n", ns, "logs", "exit3"])).toBe("hello\n");
  });

  it("when logs are followed, tailed, timestamped and limited, then kubectl logs shows what the kubelet would", async () => {
    createPod(shPod("lines", "for i in 1 2 3 4; do echo line $i; sleep 1; done"));
    await waitForPhase("lines", ["Running", "Succeeded"]);
    expect(kubectl(["-n", ns, "logs", "-f", "lines"])).toBe("line 1\nline 2\nline 3\nline 4\n");
    await waitForPhase("lines", ["Succeeded"]);
    expect(kubectl(["-n", ns, "logs", "--tail=2", "lines"])).toBe("line 3\nline 4\n");
    expect(kubectl(["-n", ns, "logs", "--limit-bytes=7", "lines"])).toBe("line 1\n");
    expect(kubectl(["-n", ns, "logs", "--since=1h", "lines"]).split("\n")).toHaveLength(5);
    const stamped = kubectl(["-n", ns, "logs", "--timestamps", "--tail=1", "lines"]);
    expect(stamped).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z line 4\n$/);
  });

  it("when a pod has init containers, volumes and downward API env, then they are all in place", async () => {
    kubectl(["-n", ns, "create", "configmap", "settings", "--from-literal=greeting=hi there"]);
    createPod(`
apiVersion: v1
kind: Pod
metadata:
  name: wiring
  labels: { app: wiring }
  annotations: { note: "from the annotation" }
spec:
  restartPolicy: Never
  initContainers:
  - name: prepare
    image: alpine:3.20
    command: [sh, -c, "echo prepared > /work/out/state"]
    volumeMounts: [{ name: scratch, mountPath: /work/out, subPath: sub }]
  containers:
  - name: main
    image: alpine:3.20
    command: [sh, -c]
    args:
    - >-
      cat /data/state; cat /config/greeting; echo; cat /meta/note; echo;
      echo "$MY_NAME $MY_NS $GREETING $MY_IP";
      grep -q wiring /etc/hosts && echo hostname-ok
    env:
    - { name: MY_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
    - { name: MY_NS, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
    - { name: MY_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
    - { name: GREETING, valueFrom: { configMapKeyRef: { name: settings, key: greeting } } }
    volumeMounts:
    - { name: scratch, mountPath: /data, subPath: sub }
    - { name: config, mountPath: /config, readOnly: true }
    - { name: meta, mountPath: /meta }
  volumes:
  - { name: scratch, emptyDir: {} }
  - { name: config, configMap: { name: settings } }
  - name: meta
    downwardAPI: { items: [{ path: note, fieldRef: { fieldPath: "metadata.annotations['note']" } }] }
`);
    const pod = await waitForPhase("wiring", ["Succeeded", "Failed"]);
    const out = kubectl(["-n", ns, "logs", "wiring"]);
    expect(pod.status.phase, out).toBe("Succeeded");
    expect(pod.status.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: "Completed",
    });
    expect(out).toBe(
      `prepared\nhi there\nfrom the annotation\nwiring ${ns} hi there ${pod.status.podIP}\nhostname-ok\n`,
    );
  });

  it("when a container fails once with restartPolicy OnFailure, then it is restarted and --previous shows the first run", async () => {
    createPod(
      shPod(
        "retry",
        "if [ -f /state/once ]; then echo second; exit 0; fi; touch /state/once; echo first; exit 1",
        `    volumeMounts: [{ name: state, mountPath: /state }]
  volumes: [{ name: state, emptyDir: {} }]`,
        "OnFailure",
      ),
    );
    const pod = await waitForPhase("retry", ["Succeeded", "Failed"], 120_000);
    expect(pod.status.phase).toBe("Succeeded");
    expect(pod.status.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(kubectl(["-n", ns, "logs", "retry"])).toBe("second\n");
    expect(kubectl(["-n", ns, "logs", "--previous", "retry"])).toBe("first\n");
  });

  it("when a Deployment has a readiness probe, then it becomes Available and its Service answers another pod by DNS name", async () => {
    kubectl(["-n", ns, "apply", "-f", "-"], {
      input: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: node:24-slim
        command: [node, -e]
        args:
        - |
          const http = require("node:http");
          let ready = false;
          setTimeout(() => { ready = true; }, 1500);
          http.createServer((req, res) => {
            if (req.url === "/healthz") { res.statusCode = ready ? 200 : 503; res.end(); return; }
            res.end("hello from " + process.env.HOSTNAME + "\\n");
          }).listen(8080);
        ports: [{ name: http, containerPort: 8080 }]
        readinessProbe:
          httpGet: { path: /healthz, port: http }
          periodSeconds: 1
          failureThreshold: 2
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
`,
    });
    kubectl(["-n", ns, "wait", "deployment/web", "--for=condition=Available", "--timeout=120s"], {
      timeoutMs: 130_000,
    });
    const deployment = kubectlJson<{ status: { readyReplicas?: number } }>([
      "-n",
      ns,
      "get",
      "deployment",
      "web",
    ]);
    expect(deployment.status.readyReplicas).toBe(2);
    await waitFor(
      () => {
        const slices = kubectlJson<{
          items: Array<{ endpoints?: Array<{ conditions?: { ready?: boolean } }> }>;
        }>(["-n", ns, "get", "endpointslices", "-l", "kubernetes.io/service-name=web"]);
        return slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 2;
      },
      { timeoutMs: 30_000, description: "two ready endpoints" },
    );
    createPod(shPod("client", `wget -qO- -T 5 http://web.${ns}:80/ && wget -qO- -T 5 http://web/`));
    const client = await waitForPhase("client", ["Succeeded", "Failed"]);
    const out = kubectl(["-n", ns, "logs", "client"]);
    expect(client.status.phase, out).toBe("Succeeded");
    expect(out).toMatch(/^hello from web-[a-z0-9]+-[a-z0-9]+\nhello from web-[a-z0-9]+-[a-z0-9]+\n$/);
  });

  it("when a Service is created after a pod started, then the pod resolves its name", async () => {
    createPod(
      shPod(
        "late-reader",
        "for i in $(seq 1 120); do if getent hosts late >/dev/null 2>&1 || grep -qw late /etc/hosts; then echo found; exit 0; fi; sleep 0.5; done; exit 1",
      ),
    );
    await waitForPhase("late-reader", ["Running"]);
    kubectl(["-n", ns, "create", "service", "clusterip", "late", "--tcp=80:8080"]);
    const pod = await waitForPhase("late-reader", ["Succeeded", "Failed"]);
    expect(pod.status.phase).toBe("Succeeded");
    expect(kubectl(["-n", ns, "logs", "late-reader"])).toBe("found\n");
  });

  it("when a pod reads its projected token, then a TokenReview authenticates it as the pod's service account", async () => {
    createPod(shPod("token", "cat /var/run/secrets/kubernetes.io/serviceaccount/token; echo; sleep 3600"));
    await waitForPhase("token", ["Running"]);
    const pod = getPod("token");
    const token = await waitFor(() => kubectl(["-n", ns, "logs", "token"]).trim(), {
      description: "the token in the log",
    });
    const review = kubectlJson<{
      status: {
        authenticated?: boolean;
        user?: { username?: string; extra?: Record<string, string[]> };
        error?: string;
      };
    }>(["create", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } }),
    });
    expect(review.status.error ?? "").toBe("");
    expect(review.status.authenticated).toBe(true);
    expect(review.status.user?.username).toBe(`system:serviceaccount:${ns}:default`);
    expect(review.status.user?.extra?.["authentication.kubernetes.io/pod-name"]).toEqual(["token"]);
    expect(review.status.user?.extra?.["authentication.kubernetes.io/pod-uid"]).toEqual([pod.metadata.uid]);
  });

  it("when a pod calls the kubernetes Service with its token and CA, then the API server answers", async () => {
    const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
    createPod(`
apiVersion: v1
kind: Pod
metadata: { name: incluster }
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: curlimages/curl:7.88.1
    command: [sh, -c]
    args:
    - >-
      curl -sS --fail --cacert ${sa}/ca.crt -H "Authorization: Bearer $(cat ${sa}/token)"
      -H "Content-Type: application/json" -X POST
      -d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'
      "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/apis/authentication.k8s.io/v1/selfsubjectreviews"
      && echo && curl -sS --fail --cacert ${sa}/ca.crt https://kubernetes.default.svc/version -o /dev/null -w "dns %{http_code}\\n"
`);
    const pod = await waitForPhase("incluster", ["Succeeded", "Failed"]);
    const out = kubectl(["-n", ns, "logs", "incluster"]);
    expect(pod.status.phase, out).toBe("Succeeded");
    expect(out).toMatch(new RegExp(`"username":\\s*"system:serviceaccount:${ns}:default"`));
    expect(out).toContain("dns 200");
  });

  it("when a pod outlives its activeDeadlineSeconds, then it is stopped and Failed with DeadlineExceeded", async () => {
    createPod(
      shPod("deadline", "sleep 120").replace(
        "  restartPolicy: Never",
        "  restartPolicy: Never\n  activeDeadlineSeconds: 2",
      ),
    );
    const pod = await waitForPhase("deadline", ["Failed", "Succeeded"], 60_000);
    expect(pod.status).toMatchObject({ phase: "Failed", reason: "DeadlineExceeded" });
    expect(pod.status.containerStatuses?.[0]?.state?.terminated).toBeDefined();
  });

  it("when a running pod is deleted, then kubectl delete completes and the pod is gone", async () => {
    createPod(shPod("victim", "trap 'echo bye; exit 0' TERM; while true; do sleep 0.2; done"));
    await waitForPhase("victim", ["Running"]);
    const started = Date.now();
    kubectl(["-n", ns, "delete", "pod", "victim", "--timeout=60s"], { timeoutMs: 70_000 });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(() => kubectl(["-n", ns, "get", "pod", "victim"])).toThrow(/NotFound|not found/);
  });
});
