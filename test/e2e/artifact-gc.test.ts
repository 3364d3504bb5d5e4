// artifactGC and the artifact failure cases, against the test cluster's real S3 store (SeaweedFS):
// what a workflow wrote is deleted when it completes or when it is deleted, by a GC pod in its
// namespace; a deletion never waits on a store that refuses; and a step whose artifact cannot be
// moved (unreachable store, wrong credentials, a missing key) ends in Error naming the artifact,
// the key and the store's answer, while the exit handler still runs. Own namespace: the tests
// change its credentials' Secret. Runs on the kubelet node (the copier is onexit's image's busybox).
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeStatus, Workflow } from "../../coordinator/engine/workflow.ts";
import {
  ARTIFACT_SECRET,
  artifactStore,
  createArtifactSecret,
  type ArtifactStore,
} from "./artifact-store.ts";
import { applyYaml, kubectl, kubectlJson, uniqueNamespace, waitFor } from "./kube.ts";
import { createWorkflow, getWorkflow, handlerLog, waitForWorkflowDone } from "./workflow-helpers.ts";

const store = artifactStore();

function s3(which: ArtifactStore): S3Client {
  return new S3Client({
    endpoint: `http://${which.endpoint}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: which.accessKey, secretAccessKey: which.secretKey },
  });
}

async function exists(client: S3Client, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: store?.bucket, Key: key }));
    return true;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

/** A one-step workflow writing /tmp/out.txt as the `out` artifact, with a handler; `spec` adds fields. */
function writer(prefix: string, spec: string, script = "echo data > /tmp/out.txt"): string {
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ${prefix}-}
spec:
  entrypoint: main
  onExit: handler
${spec}
  templates:
  - name: main
    container: {image: busybox:1.35, command: [sh, -c, ${JSON.stringify(script)}]}
    outputs:
      artifacts:
      - {name: out, path: /tmp/out.txt, archive: {none: {}}}
  - name: handler
    container: {image: busybox:1.35, command: [sh, -c, "echo handler ran: {{workflow.status}}"]}
`;
}

function mainNode(workflow: Workflow): NodeStatus | undefined {
  return Object.values(workflow.status?.nodes ?? {}).find(
    (n) => n.type === "Pod" && !n.name.endsWith(".onExit"),
  );
}

function keyOf(workflow: Workflow): string {
  const key = mainNode(workflow)?.outputs?.artifacts?.find((a) => a.name === "out")?.s3?.key;
  if (key === undefined) throw new Error(`no recorded key: ${JSON.stringify(workflow.status)}`);
  return key;
}

/** A ConfigMap `name` in `namespace` whose key `s3` is the test store at `endpoint`/`bucket`. */
function repositoryConfigMap(namespace: string, name: string, endpoint: string, bucket: string): void {
  const secret = (key: string): string => `{name: ${ARTIFACT_SECRET.name}, key: ${key}}`;
  const s3 = `s3: {endpoint: "${endpoint}", bucket: ${bucket}, insecure: true, accessKeySecret: ${secret(ARTIFACT_SECRET.accessKey)}, secretKeySecret: ${secret(ARTIFACT_SECRET.secretKey)}}`;
  applyYaml(
    JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { s3 } }),
  );
}

/** SeaweedFS's own admin shell: a 1 MiB quota on `bucket`, enforced (over it, the bucket turns
 * read-only); its words, stdout and stderr. Asked again until the master counts the bucket's bytes. */
async function fillBucket(master: string, bucket: string): Promise<string> {
  const weed = join(process.env.ONEXIT_CACHE || join(homedir(), ".cache", "onexit"), "bin", "weed");
  const commands = `s3.bucket.quota -name=${bucket} -op=set -sizeMB=1\ns3.bucket.quota.enforce -apply\nexit\n`;
  return waitFor(
    () => {
      const shell = spawnSync(weed, ["shell", `-master=${master}`], {
        input: commands,
        encoding: "utf8",
        timeout: 60_000,
      });
      const said = `${shell.stdout}${shell.stderr}`;
      return /read only/.test(said) ? said : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 2000, description: `bucket ${bucket} read-only over its quota` },
  );
}

function events(namespace: string, name: string): string {
  return kubectl([
    "-n",
    namespace,
    "get",
    "events",
    "--field-selector",
    `involvedObject.name=${name}`,
    "-o",
    "wide",
  ]);
}

describe.skipIf(store === undefined)("artifactGC and artifact failures against the real store", () => {
  let ns = "";
  const client = s3(store as ArtifactStore);
  beforeAll(async () => {
    ns = await uniqueNamespace("artifact-gc");
    createArtifactSecret(ns);
  });
  afterAll(() => {
    client.destroy();
    if (ns !== "") kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("when a workflow with OnWorkflowCompletion ends, then a GC pod deletes what it wrote and the status says so", async () => {
    const name = createWorkflow(ns, writer("gc-done", "  artifactGC: {strategy: OnWorkflowCompletion}"));
    const done = await waitForWorkflowDone(ns, name);
    expect(done.status?.phase, done.status?.message).toBe("Succeeded");
    const key = keyOf(done);
    const collected = await waitFor(
      () => {
        const wf = getWorkflow(ns, name);
        return wf.status?.artifactGCStatus?.strategiesProcessed?.OnWorkflowCompletion === true
          ? wf
          : undefined;
      },
      { timeoutMs: 120_000, description: "OnWorkflowCompletion processed" },
    );
    expect(collected.status?.conditions ?? []).toEqual([]);
    expect(await exists(client, key)).toBe(false);
    const gcPods = kubectlJson<{ items: { metadata: { name: string } }[] }>([
      "-n",
      ns,
      "get",
      "pods",
      "-l",
      `workflows.argoproj.io/workflow=${name},workflows.argoproj.io/component=artifact-gc`,
    ]);
    expect(gcPods.items).toHaveLength(1);
  });

  it("when a workflow with OnWorkflowDeletion is deleted, then its artifacts go with it (held by the artifact-gc finalizer)", async () => {
    const name = createWorkflow(ns, writer("gc-del", "  artifactGC: {strategy: OnWorkflowDeletion}"));
    const done = await waitForWorkflowDone(ns, name);
    const key = keyOf(done);
    expect(await exists(client, key)).toBe(true);
    expect(getWorkflow(ns, name).metadata.finalizers).toContain("onexit.dev/artifact-gc");
    kubectl(["-n", ns, "delete", "workflow", name, "--wait=false"]);
    await waitFor(
      () => (kubectl(["-n", ns, "get", "workflows", "-o", "name"]).includes(`/${name}`) ? undefined : true),
      {
        timeoutMs: 120_000,
        description: `workflow ${name} gone`,
      },
    );
    expect(await exists(client, key)).toBe(false);
  });

  it("when the store refuses the GC pod, then the deletion still completes and a Warning names the key and the answer", async () => {
    const name = createWorkflow(ns, writer("gc-refused", "  artifactGC: {strategy: OnWorkflowDeletion}"));
    const done = await waitForWorkflowDone(ns, name);
    const key = keyOf(done);
    createArtifactSecret(ns, { ...(store as ArtifactStore), secretKey: "wrong-secret" });
    try {
      kubectl(["-n", ns, "delete", "workflow", name, "--wait=false"]);
      await waitFor(
        () => (kubectl(["-n", ns, "get", "workflows", "-o", "name"]).includes(`/${name}`) ? undefined : true),
        {
          timeoutMs: 150_000,
          description: `workflow ${name} gone although its GC failed`,
        },
      );
      const seen = await waitFor(
        () => (/ArtifactGCFailed/.test(events(ns, name)) ? events(ns, name) : undefined),
        {
          timeoutMs: 30_000,
          description: "the ArtifactGCFailed event",
        },
      );
      expect(seen).toContain(key);
      expect(seen).toContain("SignatureDoesNotMatch");
      expect(await exists(client, key)).toBe(true);
    } finally {
      createArtifactSecret(ns);
    }
  });

  it("when the store is unreachable, then the step ends in Error naming the artifact, the key and the answer, and the handler runs", async () => {
    repositoryConfigMap(
      ns,
      "unreachable-store",
      store?.endpoint.replace(/:\d+$/, ":1") ?? "",
      store?.bucket ?? "",
    );
    const name = createWorkflow(
      ns,
      writer("fail-down", "  artifactRepositoryRef: {configMap: unreachable-store, key: s3}"),
    );
    const done = await waitForWorkflowDone(ns, name);
    expect(done.status?.phase).not.toBe("Succeeded");
    const node = mainNode(done);
    expect(node?.phase).toBe("Error");
    expect(node?.message).toMatch(/artifact out/);
    expect(node?.message).toContain(`${name}/`);
    expect(node?.message).toMatch(/ECONNREFUSED/);
    expect(await handlerLog(ns, name)).toMatch(/handler ran: (Failed|Error)/);
  });

  it.skipIf(store?.master === undefined)(
    "when the store is full (a bucket over its quota), then the upload's Error carries the store's refusal, and the handler runs",
    async () => {
      const bucket = `onexit-full-${ns}`.slice(0, 63);
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: "filler", Body: Buffer.alloc(2 * 1024 * 1024, 1) }),
      );
      expect(await fillBucket(store?.master ?? "", bucket)).toMatch(/read only/);
      repositoryConfigMap(ns, "full-store", store?.endpoint ?? "", bucket);
      const name = createWorkflow(
        ns,
        writer("fail-full", "  artifactRepositoryRef: {configMap: full-store, key: s3}"),
      );
      const done = await waitForWorkflowDone(ns, name);
      const node = mainNode(done);
      expect(node?.phase).toBe("Error");
      expect(node?.message).toMatch(
        new RegExp(`artifact out: upload to s3://${bucket}/${name}/.*: AccessDenied`),
      );
      expect(await handlerLog(ns, name)).toMatch(/handler ran: (Failed|Error)/);
    },
  );

  it("when the credentials are wrong, then the upload's Error carries the store's refusal, and the handler runs", async () => {
    createArtifactSecret(ns, { ...(store as ArtifactStore), secretKey: "wrong-secret" });
    try {
      const name = createWorkflow(ns, writer("fail-cred", ""));
      const done = await waitForWorkflowDone(ns, name);
      const node = mainNode(done);
      expect(node?.phase).toBe("Error");
      expect(node?.message).toMatch(/artifact out: upload to s3:\/\/.*\/out\.txt: .*SignatureDoesNotMatch/);
      expect(await handlerLog(ns, name)).toMatch(/handler ran: (Failed|Error)/);
    } finally {
      createArtifactSecret(ns);
    }
  });

  it("when an input's key is missing, then the step ends in Error naming the artifact and the key, and the handler runs", async () => {
    const name = createWorkflow(
      ns,
      `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: fail-missing-}
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    inputs:
      artifacts:
      - {name: absent, path: /in/x.txt, s3: {key: "no/such/key-{{workflow.name}}.tgz"}}
    container: {image: busybox:1.35, command: [sh, -c, "cat /in/x.txt"]}
  - name: handler
    container: {image: busybox:1.35, command: [sh, -c, "echo handler ran: {{workflow.status}}"]}
`,
    );
    const done = await waitForWorkflowDone(ns, name);
    const node = mainNode(done);
    expect(node?.phase).toBe("Error");
    expect(node?.message).toContain(`input artifact absent: s3://${store?.bucket}/no/such/key-${name}.tgz`);
    expect(node?.message).toMatch(/NoSuchKey|NotFound|404/);
    expect(await handlerLog(ns, name)).toMatch(/handler ran: (Failed|Error)/);
  });
});
