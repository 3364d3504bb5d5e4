// Issue 5: the chart as users meet it: lint, schema, upgrade, uninstall.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
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
