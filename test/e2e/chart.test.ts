// Issue 5: the chart as users meet it: lint, schema, upgrade, uninstall.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubectl } from "./kube.ts";
import { installOnexit, RELEASE_NAMESPACE } from "./install-onexit.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  oneStepWorkflow,
  podsOfWorkflow,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

const chart = new URL("../../charts/onexit", import.meta.url).pathname;

function helm(args: string[]): { status: number; output: string } {
  const result = spawnSync("helm", args, { encoding: "utf8" });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function caBundle(): string {
  return kubectl([
    "get",
    "mutatingwebhookconfiguration",
    "onexit-webhook",
    "-o",
    "jsonpath={.webhooks[0].clientConfig.caBundle}",
  ]);
}

interface Rendered {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

function render(args: string[] = []): Rendered[] {
  const out = execFileSync("helm", ["template", "onexit", chart, "--namespace", "onexit", ...args], {
    encoding: "utf8",
  });
  return parseAllDocuments(out)
    .map((doc) => doc.toJSON() as Rendered | null)
    .filter((doc): doc is Rendered => doc !== null);
}

interface PodTemplate {
  securityContext?: Record<string, unknown>;
  containers: {
    name: string;
    securityContext?: Record<string, unknown>;
    env?: { name: string; value?: string }[];
  }[];
}

function podTemplates(docs: Rendered[]): PodTemplate[] {
  return docs
    .filter((d) => d.kind === "Deployment")
    .map((d) => (d.spec as { template: { spec: PodTemplate } }).template.spec);
}

/** What Pod Security `restricted` asks of a container, merged with its pod's settings. */
function restrictedProblems(
  pod: Record<string, unknown> | undefined,
  container: Record<string, unknown>,
): string[] {
  const effective = { ...pod, ...container };
  const problems: string[] = [];
  if (effective.runAsNonRoot !== true) problems.push("runAsNonRoot");
  if (effective.runAsUser === 0) problems.push("runAsUser 0");
  if (container.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation");
  if (container.readOnlyRootFilesystem !== true) problems.push("readOnlyRootFilesystem");
  if (JSON.stringify((container.capabilities as { drop?: string[] } | undefined)?.drop) !== '["ALL"]')
    problems.push("capabilities.drop");
  if ((effective.seccompProfile as { type?: string } | undefined)?.type !== "RuntimeDefault")
    problems.push("seccompProfile");
  return problems;
}

async function runOneStep(): Promise<void> {
  const name = createWorkflow(ns, oneStepWorkflow({ prefix: "chart", step: "echo ok" }));
  const workflow = await waitForWorkflowDone(ns, name);
  expect(workflow.status?.phase).toBe("Succeeded");
  expect(podsOfWorkflow(ns, name)[0]?.containers).toEqual(["main", "wait"]);
}

describe("helm chart", () => {
  it("when linted, then it passes, and a wrong value fails with a message naming it", () => {
    expect(helm(["lint", chart]).status).toBe(0);
    const bad = helm(["lint", chart, "--set", "webhook.failurePolicy=Maybe"]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/failurePolicy/);
    const typo = helm(["template", chart, "--set", "coordinator.replica=3"]);
    expect(typo.status).not.toBe(0);
    expect(typo.output).toMatch(/replica/);
  });

  it("when options are switched on, then cert-manager and ServiceMonitor objects are rendered", () => {
    const out = execFileSync(
      "helm",
      [
        "template",
        "x",
        chart,
        "--set",
        "certificates.provider=cert-manager",
        "--set",
        "metrics.serviceMonitor.enabled=true",
      ],
      { encoding: "utf8" },
    );
    expect(out).toMatch(/kind: Certificate\b/);
    expect(out).toMatch(/kind: ServiceMonitor\b/);
    expect(out).toMatch(/cert-manager.io\/inject-ca-from/);
    const single = execFileSync(
      "helm",
      ["template", "x", chart, "--set", "webhook.replicas=1", "--set", "coordinator.replicas=1"],
      {
        encoding: "utf8",
      },
    );
    expect(single).not.toMatch(/kind: PodDisruptionBudget/);
  });

  it("when rendered, then every onexit container and the injected sidecar are locked down", () => {
    const pods = podTemplates(render());
    expect(pods.length).toBe(2);
    for (const pod of pods) {
      for (const container of pod.containers) {
        expect({
          [container.name]: restrictedProblems(pod.securityContext, container.securityContext ?? {}),
        }).toEqual({
          [container.name]: [],
        });
      }
    }
    const webhookEnv = pods.flatMap((p) => p.containers).find((c) => c.name === "webhook")?.env ?? [];
    const sidecar = webhookEnv.find((e) => e.name === "ONEXIT_SIDECAR_SECURITY_CONTEXT")?.value;
    expect(restrictedProblems(undefined, JSON.parse(sidecar ?? "{}") as Record<string, unknown>)).toEqual([]);
  });

  it("when networkPolicy is enabled, then reports admit only workflow pods and metrics the configured peers", () => {
    expect(render().filter((d) => d.kind === "NetworkPolicy")).toEqual([]);
    const policies = render([
      "--set",
      "networkPolicy.enabled=true",
      "--set-json",
      'networkPolicy.metricsFrom=[{"namespaceSelector":{"matchLabels":{"name":"monitoring"}}}]',
    ]).filter((d) => d.kind === "NetworkPolicy");
    const ingress = Object.fromEntries(
      policies.map((p) => [p.metadata.name, (p.spec as { ingress: unknown[] }).ingress]),
    );
    const monitoring = [{ namespaceSelector: { matchLabels: { name: "monitoring" } } }];
    expect(ingress).toEqual({
      "onexit-coordinator": [
        {
          ports: [{ port: "reports" }],
          from: [
            {
              namespaceSelector: {},
              podSelector: {
                matchExpressions: [{ key: "workflows.argoproj.io/workflow", operator: "Exists" }],
              },
            },
          ],
        },
        { ports: [{ port: "metrics" }], from: monitoring },
      ],
      "onexit-webhook": [{ ports: [{ port: "https" }] }, { ports: [{ port: "metrics" }], from: monitoring }],
    });
  });

  it("when upgraded, then the CA is kept and injection keeps working", async () => {
    const before = caBundle();
    installOnexit(["--set", "sidecar.deadlineSeconds=301"]);
    expect(caBundle()).toBe(before);
    await runOneStep();
    installOnexit();
  });

  it("when uninstalled, then everything but the CRD goes, and a reinstall works", async () => {
    const uninstall = helm(["uninstall", "onexit", "--namespace", RELEASE_NAMESPACE, "--wait"]);
    expect(uninstall.output).toMatch(/uninstalled/);
    const selector = "app.kubernetes.io/instance=onexit";
    expect(
      kubectl([
        "-n",
        RELEASE_NAMESPACE,
        "get",
        "deploy,svc,secret,sa,pdb,role,rolebinding",
        "-l",
        selector,
        "-o",
        "name",
      ]).trim(),
    ).toBe("");
    expect(
      kubectl([
        "get",
        "mutatingwebhookconfiguration,clusterrole,clusterrolebinding",
        "-l",
        selector,
        "-o",
        "name",
      ]).trim(),
    ).toBe("");
    expect(kubectl(["get", "crd", "workflows.argoproj.io", "-o", "name"]).trim()).toBe(
      "customresourcedefinition.apiextensions.k8s.io/workflows.argoproj.io",
    );
    installOnexit();
    await runOneStep();
  });
});
