import { describe, expect, it } from "vitest";
import { ARTIFACT_PLAN_ANNOTATION, parseArtifactPlan } from "../../../common/artifact-plan.ts";
import type { EngineConfig } from "../types.ts";
import { createdPods, exit, node, step, world, type World } from "../testing/world.ts";

const config: EngineConfig = {
  defaultServiceAccountName: "",
  defaultArtifactRepository: {
    s3: {
      endpoint: "store:8333",
      bucket: "onexit",
      insecure: true,
      accessKeySecret: { name: "s3", key: "accesskey" },
      secretKeySecret: { name: "s3", key: "secretkey" },
    },
  },
};

function artifactWorld(yaml: string): World {
  const w = world(yaml);
  w.config = config;
  return w;
}

function planOf(w: World, nodeName: string) {
  const pod = w.pods.find((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"] === nodeName);
  return parseArtifactPlan(pod?.metadata?.annotations?.[ARTIFACT_PLAN_ANNOTATION]).plan;
}

describe("reconcile: artifacts", () => {
  it("when a DAG task outputs a directory and the next takes it with from, then the second pod fetches the key the first uploaded", () => {
    const w = artifactWorld(`
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: gen, template: gen}
      - name: use
        template: use
        dependencies: [gen]
        arguments: {artifacts: [{name: data, from: "{{tasks.gen.outputs.artifacts.dir}}"}]}
  - name: gen
    container: {image: alpine, command: [sh, -c, "mkdir -p /tmp/d && echo hi > /tmp/d/f"]}
    outputs: {artifacts: [{name: dir, path: /tmp/d}]}
  - name: use
    inputs: {artifacts: [{name: data, path: /in, mode: 493}]}
    container: {image: alpine, command: [cat, "{{inputs.artifacts.data.path}}/f"]}
`);
    step(w);
    const gen = planOf(w, "wf.gen");
    expect(gen?.outputs).toEqual([
      {
        name: "dir",
        path: "/tmp/d",
        key: expect.stringMatching(/^wf\/wf-gen-\d+\/dir\.tgz$/),
        archive: "tgz",
        optional: false,
      },
    ]);
    const key = gen?.outputs[0]?.key ?? "";
    exit(w, "wf.gen", 0, { artifacts: { artifacts: [{ name: "dir", key }] } });
    const second = step(w);
    expect(node(w, "wf.gen").outputs?.artifacts).toEqual([{ name: "dir", path: "/tmp/d", s3: { key } }]);
    const use = planOf(w, "wf.use");
    expect(use?.inputs).toEqual([
      {
        name: "data",
        path: "/in",
        source: { kind: "s3", key, repository: expect.objectContaining({ bucket: "onexit" }) },
        mode: 493,
        optional: false,
        unpack: true,
      },
    ]);
    expect(createdPods(second)[0]?.spec?.containers[0]?.command).toEqual(["cat", "/in/f"]);
    expect(node(w, "wf.use").inputs?.artifacts).toEqual([{ name: "data", path: "/in", s3: { key } }]);
  });

  it("when a step's required output was not uploaded, then the step ends in Error with the sidecar's reason", () => {
    const w = artifactWorld(`
spec:
  entrypoint: gen
  templates:
  - name: gen
    container: {image: alpine, command: ["true"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
`);
    step(w);
    exit(w, "wf", 0, {
      artifacts: { artifacts: [], artifactError: "output artifact out: /tmp/out: no such file or directory" },
    });
    step(w);
    expect(node(w, "wf").phase).toBe("Error");
    expect(node(w, "wf").message).toBe("output artifact out: /tmp/out: no such file or directory");
  });

  it("when logs are archived and a step fails, then the exit handler's {{onexit.failedLogs}} input fetches its log", () => {
    const w = artifactWorld(`
spec:
  entrypoint: bad
  archiveLogs: true
  onExit: handler
  templates:
  - name: bad
    container: {image: alpine, command: [sh, -c, "echo boom; exit 1"]}
  - name: handler
    inputs: {artifacts: [{name: logs, path: /logs, from: "{{onexit.failedLogs}}"}]}
    container: {image: alpine, command: [sh, -c, "cat /logs/*"]}
`);
    step(w);
    const logsKey = planOf(w, "wf")?.logsKey ?? "";
    expect(logsKey).toMatch(/^wf\/wf\/main\.log$/);
    exit(w, "wf", 1, { log: "boom\n", artifacts: { artifacts: [{ name: "main-logs", key: logsKey }] } });
    step(w);
    expect(node(w, "wf").outputs?.artifacts).toEqual([{ name: "main-logs", s3: { key: logsKey } }]);
    const handler = planOf(w, "wf.onExit");
    expect(handler?.inputs[0]?.source).toEqual({
      kind: "s3-files",
      files: [{ name: "wf.log", key: logsKey }],
      repository: expect.objectContaining({ bucket: "onexit" }),
    });
  });

  it("when no repository is configured, then a step with output artifacts ends in Error saying what to set", () => {
    const w = world(`
spec:
  entrypoint: gen
  templates:
  - name: gen
    container: {image: alpine, command: ["true"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
`);
    step(w);
    expect(node(w, "wf").phase).toBe("Error");
    expect(node(w, "wf").message).toMatch(/no artifact repository/);
  });

  it("when output artifacts are declared on a container without command, then the workflow is refused naming the field", () => {
    const w = artifactWorld(`
spec:
  entrypoint: gen
  templates:
  - name: gen
    container: {image: alpine}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
`);
    const result = step(w);
    expect(result.status.phase).toBe("Error");
    expect(result.status.message).toMatch(
      /templates\.gen\.container\.command is required when the template has outputs\.artifacts/,
    );
  });
});

describe("reconcile: artifacts onexit does not run", () => {
  it("when a steps template declares input artifacts, then the workflow is refused naming them", () => {
    const w = artifactWorld(`
spec:
  entrypoint: main
  templates:
  - name: main
    inputs: {artifacts: [{name: a, path: /a, raw: {data: x}}]}
    steps: [[{name: s, template: t}]]
  - name: t
    container: {image: alpine, command: ["true"]}
`);
    expect(step(w).status.message).toMatch(
      /templates\.main\.inputs\.artifacts: only container and script templates can have input artifacts/,
    );
  });
});
