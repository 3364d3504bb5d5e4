// What onexit does not run is refused when the Workflow is created, naming each field and its
// path (the chart's ValidatingAdmissionPolicy, generated from the engine's field table); one
// that slips through (the policy's binding removed) ends in Error with the same words. And two
// Argo examples that used to fail: a script file executed directly, and dag.target from a parameter.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kubectl, waitFor } from "./kube.ts";
import { E2E_NAMESPACE as ns, createWorkflow, waitForWorkflowDone } from "./workflow-helpers.ts";
import { refusedFields } from "../../coordinator/engine/validate/fields-check.ts";

const BINDING = "validatingadmissionpolicybinding/onexit-workflow-fields";

const REFUSED = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: refused-}
spec:
  entrypoint: main
  synchronization: {mutex: {name: one-at-a-time}}
  volumeClaimTemplates: [{metadata: {name: work}, spec: {accessModes: [ReadWriteOnce]}}]
  templates:
  - name: main
    memoize: {key: k, cache: {configMap: {name: c}}}
    steps: [[{name: a, template: echo}]]
  - name: echo
    daemon: true
    container: {image: alpine:3.20, command: [echo, hi]}
    outputs: {artifacts: [{name: out, path: /tmp/out, git: {repo: r}}]}
`;

/** The message the coordinator's own check gives for the same workflow. */
const refusedMessage = (yaml: string): string => refusedFields(parse(yaml)).join("; ");

/** kubectl create's error message; throws when the Workflow was created. */
function createFails(yaml: string, args: string[] = []): string {
  try {
    kubectl(["-n", ns, "create", ...args, "-f", "-"], { input: yaml });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the Workflow was created");
}

/** The policy is active a moment after the chart installs it: wait until it refuses. */
async function policyRefuses(yaml: string): Promise<string> {
  return waitFor(
    () => {
      const message = createFails(yaml);
      return message.includes("ValidatingAdmissionPolicy") ? message : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000, description: "the admission policy to refuse the workflow" },
  );
}

describe("refused at create time", () => {
  it("when a workflow uses refused fields, then kubectl create fails at once naming each with its path", async () => {
    const message = await policyRefuses(REFUSED);
    const expected = refusedMessage(REFUSED);
    expect(expected.split("; ")).toEqual([
      "spec.synchronization: not supported by onexit",
      "spec.templates[0].memoize: not supported by onexit",
      "spec.templates[1].daemon: not supported by onexit",
      "spec.templates[1].outputs.artifacts[0].git: not supported by onexit: artifacts are S3 (the artifact repository), `http` or `raw`",
      "spec.volumeClaimTemplates: not supported by onexit",
    ]);
    expect(message).toContain(expected);
  });

  it("when a workflow has a field Argo does not have, then it is refused whatever field validation the client asks for", async () => {
    const unknown = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: unknown-field-}
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 1, backoff: {duration: "1", jitter: 2}}
    container: {image: alpine:3.20, command: [echo, hi], colour: blue}
`;
    const expected = [
      "spec.templates[0].container.colour: unknown field (Argo's Workflow has no such field)",
      "spec.templates[0].retryStrategy.backoff.jitter: unknown field (Argo's Workflow has no such field)",
    ].join("; ");
    expect(refusedMessage(unknown)).toBe(expected);
    // kubectl's default is --validate=strict; the CRD keeps unknown fields, so the policy names them.
    expect(await policyRefuses(unknown)).toContain(expected);
    // A client that asks the API server to ignore unknown fields (nothing is pruned, so it still sees them).
    const file = path.join(tmpdir(), `onexit-unknown-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({ ...parse(unknown), metadata: { name: `unknown-raw-${process.pid}` } }),
    );
    let raw = "";
    try {
      kubectl([
        "create",
        "--raw",
        `/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflows?fieldValidation=Ignore`,
        "-f",
        file,
      ]);
    } catch (error) {
      raw = (error as Error).message;
    }
    expect(raw).toContain(expected);
    expect(createFails(unknown, ["--validate=false"])).toContain(expected);
  });
});

describe("slipped through", () => {
  let saved: string | undefined;

  afterAll(() => {
    if (saved !== undefined) kubectl(["create", "-f", "-"], { input: saved });
  });

  it("when the policy's binding is gone, then a workflow with a refused field ends in Error naming it and runs nothing", async () => {
    await policyRefuses(REFUSED);
    const binding = JSON.parse(kubectl(["get", BINDING, "-o", "json"])) as Record<string, unknown> & {
      metadata: Record<string, unknown>;
    };
    const { name, labels, annotations } = binding.metadata;
    saved = JSON.stringify({ ...binding, metadata: { name, labels, annotations }, status: undefined });
    kubectl(["delete", BINDING]);
    const created = await waitFor(
      () => {
        try {
          return createWorkflow(ns, REFUSED);
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, intervalMs: 1000, description: "the workflow to be admitted without the binding" },
    );
    const workflow = await waitForWorkflowDone(ns, created);
    expect(workflow.status?.phase).toBe("Error");
    expect(workflow.status?.message).toBe(`invalid spec: ${refusedMessage(REFUSED)}`);
    expect(
      kubectl(["-n", ns, "get", "pods", "-l", `workflows.argoproj.io/workflow=${created}`, "-o", "name"]),
    ).toBe("");
    kubectl(["create", "-f", "-"], { input: saved });
    saved = undefined;
    await policyRefuses(REFUSED);
  });
});

describe("Argo examples that used to fail", () => {
  it("when a script's command runs the script file itself (sh -c, a bash shebang), then it runs as in Argo", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: script-exec-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: sh, template: sh-file}
      - {name: bash, template: bash-file}
  - name: sh-file
    script:
      image: alpine:3.20
      command: [sh, -c]
      source: |
        echo "sh says $((6 * 7))"
  - name: bash-file
    script:
      image: bash:5
      command: [sh, -c]
      source: |
        #!/bin/bash
        words=(bash runs this)
        echo "\${words[*]}"
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase, workflow.status?.message).toBe("Succeeded");
    const results = Object.values(workflow.status?.nodes ?? {})
      .filter((node) => node.type === "Pod")
      .map((node) => [node.displayName, node.outputs?.result]);
    expect(Object.fromEntries(results)).toEqual({ sh: "sh says 42", bash: "bash runs this" });
  });

  it("when dag.target comes from a workflow parameter, then it is substituted and only the target's chain runs", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: dag-target-}
spec:
  entrypoint: dag
  arguments: {parameters: [{name: target, value: E}]}
  templates:
  - name: dag
    dag:
      target: "{{workflow.parameters.target}}"
      tasks:
      - {name: A, template: echo}
      - {name: B, template: echo, depends: A}
      - {name: C, template: echo, depends: A}
      - {name: D, template: echo, depends: "B && C"}
      - {name: E, template: echo, depends: C}
  - name: echo
    container: {image: alpine:3.20, command: [echo, hi]}
`,
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase, workflow.status?.message).toBe("Succeeded");
    const ran = Object.values(workflow.status?.nodes ?? {})
      .filter((node) => node.type === "Pod")
      .map((node) => node.displayName)
      .sort();
    expect(ran).toEqual(["A", "C", "E"]);
  });
});
