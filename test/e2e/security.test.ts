// The attacker suite (docs/SECURITY.md): what a namespace user without workflow rights, a
// workflow pod and another namespace can try against onexit, in the real cluster. Every test
// checks that the refusal is clear and that nothing stored changed (the victim pod's report
// annotation, its workflow's status).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "node:https";
import {
  ANNOTATION_INJECTED,
  ANNOTATION_REPORT,
  POD_PROXY_PREFIX,
  REPORT_AUDIENCE,
} from "../../common/names.ts";
import {
  call,
  coordinatorTarget,
  counterByLabel,
  delta,
  flood,
  getPod,
  kubectlAs,
  mintToken,
  refusal,
  serviceEndpoints,
  type HttpsTarget,
  type Pod,
} from "./attacker.ts";
import { kubectl, kubectlJson, uniqueNamespace, waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  getWorkflow,
  oneStepWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

const REPORTS = "/v1/reports";

/** What an attacker must not be able to change: the pod's stored report and its workflow's status. */
function stored(workflow: string): { report: string | undefined; status: unknown } {
  const text = kubectl(["-n", ns, "get", "pod", workflow, "--ignore-not-found", "-o", "json"]).trim();
  const pod = text === "" ? undefined : (JSON.parse(text) as Pod);
  return { report: pod?.metadata.annotations?.[ANNOTATION_REPORT], status: getWorkflow(ns, workflow).status };
}

function bound(pod: Pod, namespace = ns): string {
  return mintToken(namespace, pod.spec.serviceAccountName ?? "default", {
    audience: REPORT_AUDIENCE,
    boundPod: { name: pod.metadata.name, uid: pod.metadata.uid },
  });
}

async function finishedWorkflow(prefix: string, step: string): Promise<{ name: string; report: object }> {
  const name = createWorkflow(ns, oneStepWorkflow({ prefix, step, handler: "echo handler ran" }));
  await waitForWorkflowDone(ns, name);
  await waitForPodsDone(ns, name);
  const report = getPod(ns, name).metadata.annotations?.[ANNOTATION_REPORT];
  if (report === undefined) throw new Error(`pod ${name} has no ${ANNOTATION_REPORT} annotation`);
  return { name, report: JSON.parse(report) as object };
}

describe("attacker suite", () => {
  let coordinator: HttpsTarget;
  /** A running workflow pod: the attacker's seat inside a workflow. */
  let runner: { workflow: string; pod: Pod; token: string };
  /** A finished workflow whose pod holds its report: the victim. */
  let victim: { name: string; report: object; token: string };
  let other: string;
  let user: (args: string[], options?: { input?: string }) => string;
  const userName = `ns-user-${Date.now().toString(36)}`;

  beforeAll(async () => {
    coordinator = coordinatorTarget();
    const workflow = createWorkflow(
      ns,
      oneStepWorkflow({ prefix: "sec-runner", step: "echo runner up; sleep 3600" }),
    );
    const pod = await waitFor(() => kubectlJson<Pod>(["-n", ns, "get", "pod", workflow]), {
      timeoutMs: 120_000,
      description: `pod ${workflow}`,
    });
    await waitFor(() => getPod(ns, workflow).status.phase === "Running", { timeoutMs: 120_000 });
    runner = { workflow, pod, token: bound(pod) };
    const finished = await finishedWorkflow("sec-victim", "echo honest");
    victim = { ...finished, token: bound(getPod(ns, finished.name)) };
    other = await uniqueNamespace("sec-other");
    // The namespace user: may create and read pods and ConfigMaps, nothing about workflows.
    kubectl(["-n", ns, "create", "serviceaccount", userName]);
    kubectl(["-n", ns, "create", "role", userName, "--verb=create,get,list", "--resource=pods,configmaps"]);
    kubectl([
      "-n",
      ns,
      "create",
      "rolebinding",
      userName,
      `--role=${userName}`,
      `--serviceaccount=${ns}:${userName}`,
    ]);
    user = kubectlAs(mintToken(ns, userName));
  });

  afterAll(() => {
    if (runner)
      kubectl(["-n", ns, "delete", "workflow", runner.workflow, "--wait=false", "--ignore-not-found"]);
    if (other) kubectl(["delete", "namespace", other, "--wait=false", "--ignore-not-found"]);
    for (const kind of ["rolebinding", "role", "serviceaccount"])
      kubectl(["-n", ns, "delete", kind, userName, "--ignore-not-found"]);
  });

  it("when a workflow pod reports for another pod, then 403 names the pod its token is bound to and nothing is stored", async () => {
    const before = stored(victim.name);
    const reply = await call(coordinator, {
      path: REPORTS,
      token: runner.token,
      body: { ...victim.report, exitCode: 1, logTail: "forged" },
    });
    expect(reply.status).toBe(403);
    expect(reply.error).toBe(`token is bound to pod ${runner.pod.metadata.name}, not ${victim.name}`);
    expect(stored(victim.name)).toEqual(before);
  });

  it("when a pod's own report is replayed, even altered, then it is acknowledged as a duplicate and nothing is rewritten", async () => {
    const before = stored(victim.name);
    for (const body of [victim.report, { ...victim.report, exitCode: 7, logTail: "rewritten" }]) {
      const reply = await call(coordinator, { path: REPORTS, token: victim.token, body });
      expect(reply).toMatchObject({ status: 200, json: { ok: true, duplicate: true } });
    }
    expect(stored(victim.name)).toEqual(before);
  });

  it("when a report arrives after its pod was deleted, then it is refused and nothing is stored", async () => {
    const gone = await finishedWorkflow("sec-gone", "echo bye");
    const token = bound(getPod(ns, gone.name));
    // The token is reviewed once while its pod lives (a bad body: refused after the review).
    expect((await call(coordinator, { path: REPORTS, token, body: { podName: gone.name } })).status).toBe(
      400,
    );
    kubectl(["-n", ns, "delete", "pod", gone.name, "--wait=true"]);
    const before = stored(gone.name);
    expect(before.report).toBeUndefined();
    const reply = await call(coordinator, { path: REPORTS, token, body: gone.report });
    // 404 while the coordinator still trusts its cached review of the token, else 401: the API
    // server invalidates a bound token with its pod. Either way nothing can be written.
    expect([401, 404]).toContain(reply.status);
    expect(reply.error).toMatch(reply.status === 404 ? /not found/ : /^token not accepted/);
    expect(stored(gone.name)).toEqual(before);
  });

  it("when another namespace's token is used, then it is refused with 403 for our pods and for its own non-workflow pod", async () => {
    const before = stored(victim.name);
    kubectl(["-n", other, "run", "outsider", "--image=alpine:3.20", "--restart=Never", "--", "sleep", "600"]);
    const outsider = getPod(other, "outsider");
    const token = bound(outsider, other);
    const forged = await call(coordinator, { path: REPORTS, token, body: victim.report });
    expect(forged.status).toBe(403);
    expect(forged.error).toBe(
      `token belongs to system:serviceaccount:${other}:default, not a service account of namespace ${ns}`,
    );
    const own = { ...victim.report, namespace: other, podName: "outsider", podUid: outsider.metadata.uid };
    const ownReply = await call(coordinator, { path: REPORTS, token, body: own });
    expect(ownReply).toMatchObject({ status: 403, error: "pod outsider is not a workflow pod" });
    expect(getPod(other, "outsider").metadata.annotations?.[ANNOTATION_REPORT]).toBeUndefined();
    expect(stored(victim.name)).toEqual(before);
  });

  it("when reports are oversized, malformed or unauthenticated, then 413, 400 or 401 say why and nothing is stored", async () => {
    const before = stored(victim.name);
    const cases: { token?: string; body: unknown; status: number; error: RegExp }[] = [
      {
        token: victim.token,
        body: { ...victim.report, logTail: "x".repeat(300 * 1024) },
        status: 413,
        error: /^report larger than 256kb$/,
      },
      { token: victim.token, body: '{"podName": ', status: 400, error: /^malformed request: / },
      { token: victim.token, body: { ...victim.report, exitCode: "zero" }, status: 400, error: /exitCode/ },
      { body: victim.report, status: 401, error: /^missing bearer token$/ },
      { token: "not-a-token", body: victim.report, status: 401, error: /^token not accepted/ },
      // A real token of the pod's service account, but for the API server's audience.
      { token: mintToken(ns, "default"), body: victim.report, status: 401, error: /^token not accepted/ },
    ];
    for (const c of cases) {
      const reply = await call(coordinator, { path: REPORTS, token: c.token, body: c.body });
      expect({ status: reply.status, error: reply.error }).toEqual({
        status: c.status,
        error: expect.stringMatching(c.error),
      });
    }
    expect(stored(victim.name)).toEqual(before);
  });

  // Behaviour (a): the webhook injects only into pods the coordinator's ServiceAccount creates.
  it("when a namespace user crafts a pod with the workflow label, then it gets no sidecar and no coordinator token", async () => {
    const before = stored(victim.name);
    const workflow = oneStepWorkflow({ prefix: "crafted", step: "true" });
    expect(refusal(() => user(["-n", ns, "create", "-f", "-"], { input: workflow }))).toMatch(/forbidden/i);
    const webhookBefore = await counterByLabel("webhook", "onexit_webhook_requests_total", "outcome");
    const crafted = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { generateName: "crafted-", labels: { "workflows.argoproj.io/workflow": victim.name } },
      spec: {
        restartPolicy: "Never",
        containers: [{ name: "main", image: "alpine:3.20", command: ["sh", "-c", "true"] }],
      },
    };
    const name = user(["-n", ns, "create", "-f", "-", "-o", "jsonpath={.metadata.name}"], {
      input: JSON.stringify(crafted),
    });
    const pod = getPod(ns, name);
    kubectl(["-n", ns, "delete", "pod", name, "--wait=false"]);
    const counted = delta(
      webhookBefore,
      await counterByLabel("webhook", "onexit_webhook_requests_total", "outcome"),
    );
    expect(pod.spec.containers.map((c) => c.name)).toEqual(["main"]);
    expect(pod.metadata.annotations?.[ANNOTATION_INJECTED]).toBeUndefined();
    const audiences = (pod.spec.volumes ?? [])
      .flatMap((v) => v.projected?.sources ?? [])
      .map((s) => s.serviceAccountToken?.audience);
    expect(audiences).not.toContain(REPORT_AUDIENCE);
    expect(counted.injected).toBeUndefined();
    expect(Object.values(counted).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(stored(victim.name)).toEqual(before);
  });

  it("when a namespace user writes the workflow's uid into a pod's controller reference, then the API server refuses the reference onexit would trust", () => {
    const uid = kubectlJson<{ metadata: { uid: string } }>(["-n", ns, "get", "workflow", runner.workflow])
      .metadata.uid;
    const forged = (blockOwnerDeletion: boolean): string =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          generateName: "forged-owner-",
          ownerReferences: [
            {
              apiVersion: "argoproj.io/v1alpha1",
              kind: "Workflow",
              name: runner.workflow,
              uid,
              controller: true,
              blockOwnerDeletion,
            },
          ],
        },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "main", image: "alpine:3.20", command: ["true"] }],
        },
      });
    // OwnerReferencesPermissionEnforcement: blockOwnerDeletion needs update on workflows/finalizers.
    expect(refusal(() => user(["-n", ns, "create", "-f", "-"], { input: forged(true) }))).toMatch(
      /blockOwnerDeletion/,
    );
    // Without it the pod may exist, but onexit never counts it as the workflow's (coordinator/ownership.ts).
    const name = user(["-n", ns, "create", "-f", "-", "-o", "jsonpath={.metadata.name}"], {
      input: forged(false),
    });
    kubectl(["-n", ns, "delete", "pod", name, "--wait=false"]);
  });

  // Behaviour (b): workflow pods have no RBAC; the coordinator relays only a pod's own reads.
  it("when a workflow pod reads another pod's log, then the API and the coordinator's proxy both refuse", async () => {
    const plain = kubectlAs(mintToken(ns, runner.pod.spec.serviceAccountName ?? "default"));
    expect(refusal(() => plain(["-n", ns, "logs", victim.name, "-c", "main"]))).toMatch(/forbidden/i);
    const log = (pod: string): string =>
      `${POD_PROXY_PREFIX}/api/v1/namespaces/${ns}/pods/${pod}/log?container=main`;
    const own = await call(coordinator, { path: log(runner.pod.metadata.name), token: runner.token });
    expect(own).toMatchObject({ status: 200, text: "runner up\n" });
    const stolen = await call(coordinator, { path: log(victim.name), token: runner.token });
    expect(stolen.status).toBe(403);
    expect(stolen.error).toMatch(
      new RegExp(`bound to pod .*${runner.pod.metadata.name}, not .*${victim.name}$`),
    );
    const watch = `${POD_PROXY_PREFIX}/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name=${victim.name}`;
    expect((await call(coordinator, { path: watch, token: runner.token })).status).toBe(403);
    const write = await call(coordinator, {
      method: "DELETE",
      path: `${POD_PROXY_PREFIX}/api/v1/namespaces/${ns}/pods/${runner.pod.metadata.name}`,
      token: runner.token,
    });
    expect(write.status).toBeGreaterThanOrEqual(400);
    expect(getPod(ns, runner.pod.metadata.name).status.phase).toBe("Running");
  });

  it("when a workflow pod floods the report endpoint, then every request is refused, counted, and the coordinator stays up", async () => {
    const before = stored(victim.name);
    const pods = (): Record<string, number> =>
      Object.fromEntries(
        kubectlJson<{ items: Pod[] }>([
          "-n",
          "onexit",
          "get",
          "pods",
          "-l",
          "app.kubernetes.io/component=coordinator",
        ]).items.map((p) => [
          p.metadata.name,
          (p.status.containerStatuses ?? []).reduce((n, s) => n + s.restartCount, 0),
        ]),
      );
    const podsBefore = pods();
    const metricsBefore = await counterByLabel("coordinator", "onexit_reports_total", "outcome");
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const targets = serviceEndpoints("onexit-coordinator", "reports").map((endpoint) => ({
      ...coordinator,
      endpoint,
      agent,
    }));
    const kinds = [
      { token: undefined, body: victim.report },
      { token: runner.token, body: "{" },
      { token: runner.token, body: victim.report },
    ];
    const statuses = await flood(2000, 16, (i) =>
      call(targets[i % targets.length]!, { path: REPORTS, ...kinds[i % 3]! }),
    );
    agent.destroy();
    expect(statuses).toEqual({ 401: 667, 400: 667, 403: 666 });
    const counted = delta(
      metricsBefore,
      await counterByLabel("coordinator", "onexit_reports_total", "outcome"),
    );
    expect(counted).toEqual({ unauthenticated: 667, invalid: 667, forbidden: 666 });
    expect(pods()).toEqual(podsBefore);
    expect(stored(victim.name)).toEqual(before);
    // And an honest report still gets through.
    const after = await finishedWorkflow("sec-after-flood", "echo still here");
    expect(after.report).toMatchObject({ exitCode: 0, logTail: "still here\n" });
  });
});
