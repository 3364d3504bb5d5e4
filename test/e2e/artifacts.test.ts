// Artifacts end to end against the test cluster's real S3 store (SeaweedFS, test/cluster/up.sh):
// a DAG passing a directory between two tasks, a file kept as it is (`archive: none`), key-only
// raw and http inputs (a real HTTP server on the bridge address), and an exit handler reading a failed step's archived log. Runs on the kubelet
// node (Makefile E2E_ON_KUBELET): the copier is onexit's image's busybox, run in `main`.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { Artifact, NodeStatus, Workflow } from "../../coordinator/engine/workflow.ts";
import { artifactStore } from "./artifact-store.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  handlerLog,
  logs,
  podsOfWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

const store = artifactStore();

function nodeNamed(workflow: Workflow, suffix: string): NodeStatus | undefined {
  return Object.values(workflow.status?.nodes ?? {}).find((n) => n.name.endsWith(suffix));
}

function artifact(node: NodeStatus | undefined, name: string): Artifact | undefined {
  return node?.outputs?.artifacts?.find((a) => a.name === name);
}

/** The object's bytes, read from the store itself (not through onexit). */
async function objectText(key: string): Promise<Buffer> {
  if (store === undefined) throw new Error("no artifact store");
  const client = new S3Client({
    endpoint: `http://${store.endpoint}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: store.accessKey, secretAccessKey: store.secretKey },
  });
  const answer = await client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

async function run(yaml: string): Promise<{ name: string; workflow: Workflow }> {
  const name = createWorkflow(ns, yaml);
  return { name, workflow: await waitForWorkflowDone(ns, name) };
}

function podOf(name: string, template: string): string {
  const pod = podsOfWorkflow(ns, name).find(
    (p) => p.name.startsWith(`${name}-${template}-`) || p.name === name,
  );
  if (pod === undefined) throw new Error(`no pod for ${template}`);
  return pod.name;
}

describe.skipIf(store === undefined)("artifacts through the test cluster's S3 store", () => {
  it("when a DAG task outputs a directory and a file, then the next task gets the directory unpacked at its path and the file as it is", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: art-dag-}
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
        arguments:
          artifacts:
          - {name: tree, from: "{{tasks.gen.outputs.artifacts.tree}}"}
          - {name: note, from: "{{tasks.gen.outputs.artifacts.note}}"}
  - name: gen
    container:
      image: busybox:1.35
      command: [sh, -c]
      args: ["mkdir -p /work/tree/sub && echo one > /work/tree/a.txt && echo two > /work/tree/sub/b.txt && echo note > /tmp/note.txt"]
    outputs:
      artifacts:
      - {name: tree, path: /work/tree}
      - {name: note, path: /tmp/note.txt, archive: {none: {}}}
  - name: use
    inputs:
      artifacts:
      - {name: tree, path: /data/tree}
      - {name: note, path: /data/note.txt, mode: 384}
    container:
      image: busybox:1.35
      command: [sh, -c]
      args: ["cat /data/tree/a.txt /data/tree/sub/b.txt /data/note.txt; stat -c %a /data/note.txt; ls /bin/sh"]
`);
    expect(workflow.status?.phase, workflow.status?.message).toBe("Succeeded");
    const gen = nodeNamed(workflow, ".gen");
    const tree = artifact(gen, "tree");
    const note = artifact(gen, "note");
    expect(tree).toEqual({
      name: "tree",
      path: "/work/tree",
      s3: { key: `${name}/${gen?.podName}/tree.tgz` },
    });
    expect(note).toEqual({
      name: "note",
      path: "/tmp/note.txt",
      archive: { none: {} },
      s3: { key: `${name}/${gen?.podName}/note.txt` },
    });
    expect((await objectText(note?.s3?.key ?? "")).toString()).toBe("note\n");
    expect((await objectText(tree?.s3?.key ?? "")).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    await waitForPodsDone(ns, name);
    expect(logs(ns, podOf(name, "use"), "main")).toBe("one\ntwo\nnote\n600\n/bin/sh\n");
    expect(nodeNamed(workflow, ".use")?.inputs?.artifacts).toEqual([
      { name: "tree", path: "/data/tree", s3: { key: tree?.s3?.key } },
      { name: "note", path: "/data/note.txt", s3: { key: note?.s3?.key } },
    ]);
  });

  it("when a step writes to a fixed key and a later step reads that key and a raw artifact, then both are placed", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: art-keys-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: put, template: put}
    - - {name: get, template: get}
  - name: put
    container: {image: busybox:1.35, command: [sh, -c, "echo keyed > /tmp/k.txt"]}
    outputs:
      artifacts:
      - {name: k, path: /tmp/k.txt, s3: {key: "{{workflow.name}}/fixed/k.tgz"}}
      - {name: absent, path: /tmp/nothing, optional: true}
  - name: get
    inputs:
      artifacts:
      - {name: k, path: /in/k.txt, s3: {key: "{{workflow.name}}/fixed/k.tgz"}}
      - {name: r, path: /in/raw.txt, raw: {data: "raw text"}}
      - {name: missing, path: /in/missing, optional: true}
    container: {image: busybox:1.35, command: [sh, -c, "cat /in/k.txt /in/raw.txt"]}
`);
    expect(workflow.status?.phase, workflow.status?.message).toBe("Succeeded");
    expect(artifact(nodeNamed(workflow, ".put"), "k")?.s3?.key).toBe(`${name}/fixed/k.tgz`);
    expect(artifact(nodeNamed(workflow, ".put"), "absent")).toBeUndefined();
    await waitForPodsDone(ns, name);
    expect(logs(ns, podOf(name, "get"), "main")).toBe("keyed\nraw text");
  });

  it("when an input comes from an http URL, then it is fetched from that server and placed with its mode", async () => {
    // A real HTTP server on the bridge address, where pods reach the host (the store is there too).
    const host = (store?.endpoint ?? "").split(":")[0] ?? "";
    const server = createServer((request, response) => {
      if (request.url === "/greeting.txt") response.end("fetched over http\n");
      else response.writeHead(404).end("no such file\n");
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: art-http-}
spec:
  entrypoint: get
  templates:
  - name: get
    inputs:
      artifacts:
      - {name: page, path: /in/greeting.txt, mode: 0755, http: {url: "http://${host}:${port}/greeting.txt"}}
    container: {image: busybox:1.35, command: [sh, -c, "cat /in/greeting.txt; stat -c %a /in/greeting.txt"]}
`);
      expect(workflow.status?.phase, workflow.status?.message).toBe("Succeeded");
      await waitForPodsDone(ns, name);
      expect(logs(ns, podOf(name, "get"), "main").trimEnd()).toBe("fetched over http\n755");
    } finally {
      server.close();
    }
  });

  it("when a step does not write a declared output, then it ends in Error naming the artifact and its path", async () => {
    const { workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: art-missing-}
spec:
  entrypoint: gen
  templates:
  - name: gen
    container: {image: busybox:1.35, command: ["true"]}
    outputs: {artifacts: [{name: out, path: /tmp/never}]}
`);
    expect(workflow.status?.phase).toBe("Error");
    expect(workflow.status?.message).toBe("output artifact out: /tmp/never: no such file or directory");
  });

  it("when logs are archived and a step fails, then the exit handler reads its whole log through {{onexit.failedLogs}}", async () => {
    const { name, workflow } = await run(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: art-logs-}
spec:
  entrypoint: main
  archiveLogs: true
  onExit: report
  templates:
  - name: main
    steps:
    - - {name: ok, template: ok}
    - - {name: bad, template: bad}
  - name: ok
    container: {image: busybox:1.35, command: [sh, -c, "echo fine"]}
  - name: bad
    container: {image: busybox:1.35, command: [sh, -c, "seq 1 5000; echo boom; exit 3"]}
  - name: report
    inputs:
      artifacts:
      - {name: logs, path: /logs, from: "{{onexit.failedLogs}}"}
    container: {image: busybox:1.35, command: [sh, -c, "ls /logs; wc -l /logs/*.log | head -1; tail -n 1 /logs/*.log"]}
`);
    expect(workflow.status?.phase).toBe("Failed");
    const bad = nodeNamed(workflow, ".bad");
    const logsKey = artifact(bad, "main-logs")?.s3?.key;
    expect(logsKey).toBe(`${name}/${bad?.podName}/main.log`);
    expect((await objectText(logsKey ?? "")).toString().split("\n").length).toBe(5002);
    expect(artifact(nodeNamed(workflow, ".ok"), "main-logs")?.s3?.key).toBe(
      `${name}/${nodeNamed(workflow, ".ok")?.podName}/main.log`,
    );
    expect(await handlerLog(ns, name)).toBe(`${bad?.podName}.log\n5001 /logs/${bad?.podName}.log\nboom\n`);
  });
});
