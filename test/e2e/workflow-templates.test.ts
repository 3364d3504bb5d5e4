// WorkflowTemplates and ClusterWorkflowTemplates end to end: the chart's CRDs and RBAC, the
// coordinator's informers, and the engine's resolution, with nothing granted by the test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podName } from "../../common/names.ts";
import { applyYaml, kubectl } from "./kube.ts";
import { RELEASE_NAMESPACE } from "./install-onexit.ts";
import { E2E_NAMESPACE as ns, createWorkflow, handlerLog, waitForWorkflowDone } from "./workflow-helpers.ts";
import type { NodeStatus, Workflow } from "../../coordinator/engine/index.ts";

const COORDINATOR = `system:serviceaccount:${RELEASE_NAMESPACE}:onexit-coordinator`;
const CLUSTER_TEMPLATE = "e2e-cluster-echo";

function sh(script: string): string {
  return `container: {image: "alpine:3.20", command: [sh, -c], args: [${JSON.stringify(script)}]}`;
}

function nodeNamed(workflow: Workflow, name: string): NodeStatus | undefined {
  return Object.values(workflow.status?.nodes ?? {}).find((n) => n.name === name);
}

async function run(yaml: string): Promise<{ name: string; workflow: Workflow }> {
  const name = createWorkflow(ns, yaml);
  return { name, workflow: await waitForWorkflowDone(ns, name) };
}

describe("workflow templates", () => {
  beforeAll(() => {
    applyYaml(
      `
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: e2e-with-handler}
spec:
  entrypoint: main
  onExit: report
  arguments: {parameters: [{name: code, value: "0"}]}
  templates:
  - name: main
    ${sh("echo body; exit {{workflow.parameters.code}}")}
  - name: report
    ${sh("echo handler saw {{workflow.status}}")}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: e2e-greeter}
spec:
  templates:
  - name: greet
    inputs: {parameters: [{name: who}]}
    steps:
    - - {name: say, template: say, arguments: {parameters: [{name: who, value: "{{inputs.parameters.who}}"}]}}
  - name: say
    inputs: {parameters: [{name: who}]}
    ${sh("echo hello {{inputs.parameters.who}}")}
`,
      ns,
    );
    applyYaml(`
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata: {name: ${CLUSTER_TEMPLATE}}
spec:
  templates:
  - name: echo
    ${sh("echo from the cluster template")}
`);
  });
  afterAll(() => {
    kubectl([
      "-n",
      ns,
      "delete",
      "workflowtemplate",
      "e2e-with-handler",
      "e2e-greeter",
      "--ignore-not-found",
    ]);
    kubectl(["delete", "clusterworkflowtemplate", CLUSTER_TEMPLATE, "--ignore-not-found"]);
  });

  it("when the chart is installed, then the coordinator may read both kinds and the short names are Argo's", () => {
    for (const resource of ["workflowtemplates", "clusterworkflowtemplates"])
      for (const verb of ["get", "list", "watch"])
        expect(
          kubectl(["auth", "can-i", verb, `${resource}.argoproj.io`, `--as=${COORDINATOR}`]).trim(),
        ).toBe("yes");
    expect(kubectl(["-n", ns, "get", "wftmpl", "e2e-greeter", "-o", "name"]).trim()).toBe(
      "workflowtemplate.argoproj.io/e2e-greeter",
    );
    expect(kubectl(["get", "cwft", CLUSTER_TEMPLATE, "-o", "name"]).trim()).toBe(
      `clusterworkflowtemplate.argoproj.io/${CLUSTER_TEMPLATE}`,
    );
  });

  it("when a workflow references a whole template that fails, then the template's exit handler runs and sees Failed", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: wftmpl-ref-}
spec:
  workflowTemplateRef: {name: e2e-with-handler}
  arguments: {parameters: [{name: code, value: "3"}]}
`);
    expect(workflow.status?.phase).toBe("Failed");
    expect(workflow.status?.storedWorkflowTemplateSpec?.onExit).toBe("report");
    expect(await handlerLog(ns, name)).toContain("handler saw Failed");
  });

  it("when steps reference a namespaced and a cluster template, then both run under their own names", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: tmpl-ref-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: greet
        templateRef: {name: e2e-greeter, template: greet}
        arguments: {parameters: [{name: who, value: e2e}]}
      - name: echo
        templateRef: {name: ${CLUSTER_TEMPLATE}, template: echo, clusterScope: true}
`);
    expect(workflow.status?.phase).toBe("Succeeded");
    const say = nodeNamed(workflow, `${name}[0].greet[0].say`);
    expect(say).toMatchObject({ phase: "Succeeded", templateName: "say" });
    expect(say?.templateRef).toEqual({ name: "e2e-greeter", template: "say" });
    expect(
      kubectl(["-n", ns, "logs", podName(name, `${name}[0].greet[0].say`, "say"), "-c", "main"]),
    ).toContain("hello e2e");
    expect(nodeNamed(workflow, `${name}[0].echo`)?.templateRef).toEqual({
      name: CLUSTER_TEMPLATE,
      template: "echo",
      clusterScope: true,
    });
    expect(Object.keys(workflow.status?.storedTemplates ?? {}).sort()).toEqual([
      `cluster/${CLUSTER_TEMPLATE}/echo`,
      "namespaced/e2e-greeter/greet",
      "namespaced/e2e-greeter/say",
    ]);
  });

  it("when the referenced template does not exist, then the workflow ends in Error naming it", async () => {
    const { workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: tmpl-missing-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, templateRef: {name: e2e-no-such-template, template: x}}
`);
    expect(workflow.status?.phase).toBe("Error");
    expect(workflow.status?.message).toBe(
      'invalid spec: templates.main.steps[0][0].templateRef: workflowtemplates.argoproj.io "e2e-no-such-template" not found',
    );
  });
});
