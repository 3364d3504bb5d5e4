// The test cluster's artifact store, for real: SeaweedFS's S3 gateway started by up.sh serves the
// bucket to the test key pair, refuses a wrong one, and step pods reach it (on either node kind);
// the workflow records the repository it resolved (the chart's default) in its status.
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { artifactStore, type ArtifactStore } from "./artifact-store.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  logs,
  oneStepWorkflow,
  podsOfWorkflow,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

function client(store: ArtifactStore, secretKey = store.secretKey): S3Client {
  return new S3Client({
    endpoint: `http://${store.endpoint}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: store.accessKey, secretAccessKey: secretKey },
    maxAttempts: 1,
  });
}

const store = artifactStore();

describe.skipIf(store === undefined)("the artifact store (SeaweedFS)", () => {
  const s3 = client(store as ArtifactStore);
  afterAll(() => s3.destroy());

  it("when the test key pair writes and reads an object, then the bucket serves it", async () => {
    const { bucket } = store as ArtifactStore;
    const key = `e2e/store-${Date.now()}.txt`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "hello store" }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body?.transformToString()).toBe("hello store");
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it("when the secret key is wrong, then the store refuses and says why", async () => {
    const wrong = client(store as ArtifactStore, "not-the-secret");
    const put = wrong.send(new PutObjectCommand({ Bucket: store?.bucket, Key: "e2e/wrong.txt", Body: "x" }));
    await expect(put).rejects.toMatchObject({ name: "SignatureDoesNotMatch" });
    wrong.destroy();
  });

  it("when a step asks the store's address, then it answers (pods reach it) and the status records the repository", async () => {
    const { endpoint, bucket } = store as ArtifactStore;
    const name = createWorkflow(
      ns,
      oneStepWorkflow({
        prefix: "store-reach",
        // Anonymous: the store's 403 proves the request got there.
        step: `wget -S -O /dev/null http://${endpoint}/${bucket} 2>&1 | grep 'HTTP/' || true`,
      }),
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Succeeded");
    const pod = podsOfWorkflow(ns, name)[0];
    expect(logs(ns, pod?.name ?? "", "main")).toMatch(/HTTP\/1\.1 403/);
    expect(workflow.status?.artifactRepositoryRef).toMatchObject({
      default: true,
      artifactRepository: { s3: { endpoint, bucket } },
    });
  });
});
