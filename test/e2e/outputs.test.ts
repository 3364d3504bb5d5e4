// Output parameters end to end: each output file is mounted on its own (never its directory),
// created first by onexit-init, read by the sidecar and passed on by the coordinator.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubectlJson } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  logs,
  podsOfWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";
import type { NodeStatus, Workflow } from "../../common/types.ts";

function nodeNamed(workflow: Workflow, name: string): NodeStatus | undefined {
  return Object.values(workflow.status?.nodes ?? {}).find((n) => n.name === name);
}

function parameter(node: NodeStatus | undefined, name: string): string | undefined {
  return node?.outputs?.parameters?.find((p) => p.name === name)?.value;
}

function sh(script: string): string {
  return `container: {image: "busybox:1.35", command: [sh, -c], args: [${JSON.stringify(script)}]}`;
}

async function run(yaml: string): Promise<{ name: string; workflow: Workflow }> {
  const name = createWorkflow(ns, yaml);
  return { name, workflow: await waitForWorkflowDone(ns, name) };
}

describe("output parameters", () => {
  const programDir = mkdtempSync(join(tmpdir(), "onexit-e2e-app-"));
  afterAll(() => rmSync(programDir, { recursive: true, force: true }));

  it("when a step writes /tmp/x.txt, then the next step receives it and onexit-init made the file", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: out-param-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: show
        template: show
        arguments: {parameters: [{name: message, value: "{{steps.gen.outputs.parameters.hello}}"}]}
  - name: gen
    ${sh("sleep 1; echo -n hello world > /tmp/x.txt")}
    outputs: {parameters: [{name: hello, valueFrom: {path: /tmp/x.txt}}]}
  - name: show
    inputs: {parameters: [{name: message}]}
    ${sh("echo got: {{inputs.parameters.message}}")}
`);
    expect(workflow.status?.phase).toBe("Succeeded");
    expect(parameter(nodeNamed(workflow, `${name}[0].gen`), "hello")).toBe("hello world");
    await waitForPodsDone(ns, name);
    const show = nodeNamed(workflow, `${name}[1].show`);
    expect(logs(ns, podName(name, show))).toContain("got: hello world");
    const genPod = kubectlJson<{
      spec: { initContainers?: { name: string }[]; containers: { name: string; volumeMounts?: unknown[] }[] };
      status: { initContainerStatuses?: { state: { terminated?: { exitCode: number } } }[] };
    }>(["-n", ns, "get", "pod", podName(name, nodeNamed(workflow, `${name}[0].gen`)), "-o", "json"]);
    expect(genPod.spec.initContainers?.map((c) => c.name)).toEqual(["onexit-init"]);
    expect(genPod.status.initContainerStatuses?.[0]?.state.terminated?.exitCode).toBe(0);
    expect(genPod.spec.containers.find((c) => c.name === "main")?.volumeMounts).toContainEqual({
      name: "onexit-outputs",
      mountPath: "/tmp/x.txt",
      subPath: "p0",
    });
  });

  it("when the output file sits beside the program, then the program still runs and its output is read", async () => {
    writeFileSync(join(programDir, "run.sh"), `#!/bin/sh\necho '{"n": 42}' > "$(dirname "$0")/out.json"\n`);
    chmodSync(join(programDir, "run.sh"), 0o755);
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: out-beside-}
spec:
  entrypoint: app
  templates:
  - name: app
    container: {image: "busybox:1.35", command: [${JSON.stringify(join(programDir, "run.sh"))}]}
    outputs: {parameters: [{name: out, valueFrom: {path: ${JSON.stringify(join(programDir, "out.json"))}}}]}
`);
    expect(workflow.status?.phase).toBe("Succeeded");
    expect(parameter(nodeNamed(workflow, name), "out")).toBe('{"n": 42}');
  });

  it("when a loop's items each write a file, then the next step receives the list of their values", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: out-aggregate-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: gen
        template: gen
        arguments: {parameters: [{name: letter, value: "{{item}}"}]}
        withItems: [a, b, c]
    - - name: sum
        template: show
        arguments: {parameters: [{name: message, value: "{{steps.gen.outputs.parameters.v}}"}]}
  - name: gen
    inputs: {parameters: [{name: letter}]}
    ${sh("echo {{inputs.parameters.letter}}-out > /tmp/v.txt")}
    outputs: {parameters: [{name: v, valueFrom: {path: /tmp/v.txt}}]}
  - name: show
    inputs: {parameters: [{name: message}]}
    ${sh("echo {{inputs.parameters.message}}")}
`);
    expect(workflow.status?.phase).toBe("Succeeded");
    const sum = nodeNamed(workflow, `${name}[1].sum`);
    const received = sum?.inputs?.parameters?.find((p) => p.name === "message")?.value ?? "";
    expect(JSON.parse(received)).toEqual(["a-out", "b-out", "c-out"]);
  });

  it("when DAG tasks pass outputs along, then the DAG's own output is the last task's", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: out-dag-}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: A, template: first}
      - name: B
        template: second
        depends: A
        arguments: {parameters: [{name: in, value: "{{tasks.A.outputs.parameters.v}}"}]}
    outputs:
      parameters:
      - {name: result, valueFrom: {parameter: "{{tasks.B.outputs.parameters.v}}"}}
  - name: first
    ${sh("echo from-a > /tmp/a.txt")}
    outputs: {parameters: [{name: v, valueFrom: {path: /tmp/a.txt}}]}
  - name: second
    inputs: {parameters: [{name: in}]}
    ${sh("echo {{inputs.parameters.in}}-b > /tmp/b.txt")}
    outputs: {parameters: [{name: v, valueFrom: {path: /tmp/b.txt}}]}
`);
    expect(workflow.status?.phase).toBe("Succeeded");
    expect(parameter(nodeNamed(workflow, name), "result")).toBe("from-a-b");
  });

  it("when the exit handler passes a parameter between its steps and reads a global one, then it prints both", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: out-handler-}
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    ${sh("echo main-said > /tmp/m.txt")}
    outputs: {parameters: [{name: m, globalName: said, valueFrom: {path: /tmp/m.txt}}]}
  - name: handler
    steps:
    - - {name: gen, template: gen}
    - - name: print
        template: print
        arguments: {parameters: [{name: message, value: "{{steps.gen.outputs.parameters.v}}"}]}
  - name: gen
    ${sh("echo handled > /tmp/h.txt")}
    outputs: {parameters: [{name: v, valueFrom: {path: /tmp/h.txt}}]}
  - name: print
    inputs: {parameters: [{name: message}]}
    ${sh("echo {{inputs.parameters.message}} {{workflow.outputs.parameters.said}} {{workflow.status}}")}
`);
    expect(workflow.status?.phase).toBe("Succeeded");
    const print = nodeNamed(workflow, `${name}.onExit[1].print`);
    expect(print?.phase).toBe("Succeeded");
    await waitForPodsDone(ns, name);
    expect(logs(ns, podName(name, print))).toContain("handled main-said Succeeded");
  });

  it("when main writes no file, then a default stands in, an empty file is an empty value, and no default is an error naming the path", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: out-missing-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: fallback, template: fallback}
      - {name: absent, template: absent}
  - name: fallback
    ${sh(": > /tmp/empty.txt")}
    outputs:
      parameters:
      - {name: d, valueFrom: {path: /tmp/none.txt, default: the-default}}
      - {name: e, valueFrom: {path: /tmp/empty.txt}}
  - name: absent
    ${sh("true")}
    outputs: {parameters: [{name: v, valueFrom: {path: /tmp/none.txt}}]}
`);
    const fallback = nodeNamed(workflow, `${name}[0].fallback`);
    expect(fallback?.phase).toBe("Succeeded");
    expect(parameter(fallback, "d")).toBe("the-default");
    expect(parameter(fallback, "e")).toBe("");
    const absent = nodeNamed(workflow, `${name}[0].absent`);
    expect(absent?.phase).toBe("Error");
    expect(absent?.message).toContain("output parameter v: /tmp/none.txt: no such file or directory");
    expect(workflow.status?.phase).toBe("Failed");
  });
});

/** The pod that ran a Pod node. */
function podName(workflow: string, node: NodeStatus | undefined): string {
  const pod = podsOfWorkflow(ns, workflow).find(
    (p) => p.name === node?.podName || p.annotations["workflows.argoproj.io/node-id"] === node?.id,
  );
  if (pod === undefined) throw new Error(`no pod for node ${node?.name ?? "?"} of ${workflow}`);
  return pod.name;
}
