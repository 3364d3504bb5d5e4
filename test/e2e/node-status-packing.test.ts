// A large workflow stored as Argo stores it (coordinator/node-status-packing.ts). The coordinator
// runs this file with ONEXIT_MAX_WORKFLOW_SIZE made small (the chart's `coordinator.extraEnv`,
// restored after), so a real workflow of a dozen steps has its `status.nodes` compressed into
// `status.compressedNodes`: it still runs to the end with its exit handler, and `kubectl get wf`
// and Argo's own CLI (`argo get`, kube mode) still read it. One too long even compressed ends in
// Error saying so, and its exit handler cannot run, as in Argo.
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runArgo, treeRows } from "./argo-cli.ts";
import { coordinatorEnvArgs, installOnexit } from "./install-onexit.ts";
import { kubectl, waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  getWorkflow,
  handlerLog,
  handlerPods,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";
import type { NodeStatus } from "../../coordinator/engine/index.ts";

/** Bytes: a dozen small nodes are over it, and under it once compressed (~2.5 KB). */
const LIMIT = 3000;

function loopYaml(prefix: string, count: number, step: string): string {
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: ${prefix}- }
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    parallelism: 2
    steps:
    - - name: item
        template: work
        withSequence: { count: "${count}" }
  - name: work
    container: { image: alpine:3.20, command: [sh, -c], args: [${JSON.stringify(step)}] }
  - name: bye
    container: { image: alpine:3.20, command: [sh, -c], args: ["echo handler saw {{workflow.status}}"] }
`;
}

/** `kubectl get wf <name>`'s row (NAME STATUS AGE MESSAGE). */
const getRow = (name: string): string =>
  kubectl(["-n", ns, "get", "wf", name, "--no-headers"]).trim().replace(/\s+/g, " ");

describe("a workflow whose status is stored compressed (ONEXIT_MAX_WORKFLOW_SIZE)", () => {
  beforeAll(() => installOnexit(coordinatorEnvArgs({ ONEXIT_MAX_WORKFLOW_SIZE: String(LIMIT) })));
  afterAll(() => installOnexit());

  it("when its nodes outgrow the limit, then they are stored as Argo's compressedNodes, the handler runs, and kubectl and argo get read it", async () => {
    const name = createWorkflow(ns, loopYaml("packed", 12, "echo item"));
    const done = await waitForWorkflowDone(ns, name);
    expect(done.status?.phase).toBe("Succeeded");
    expect(done.status?.nodes).toBeUndefined();
    const packed = done.status?.compressedNodes ?? "";
    expect(packed).toMatch(/^H4sI[A-Za-z0-9+/]*={0,2}$/); // gzip's magic in standard base64
    const nodes = Object.values(
      JSON.parse(gunzipSync(Buffer.from(packed, "base64")).toString("utf8")) as Record<string, NodeStatus>,
    );
    expect(nodes.filter((n) => n.type === "Pod" && n.phase === "Succeeded")).toHaveLength(13);
    expect(await handlerLog(ns, name)).toContain("handler saw Succeeded");
    expect(getRow(name)).toMatch(new RegExp(`^${name} Succeeded `));

    const got = runArgo(ns, ["get", name]);
    expect(got.status).toBe(0);
    expect(got.stdout).toMatch(/^Status:\s+Succeeded$/m);
    const steps = treeRows(got.stdout).map((row) => row[1]);
    for (let i = 0; i < 12; i++) expect(steps).toContain(`item(${i}:${i})`);
    expect(steps).toContain(`${name}.onExit`);
  });

  it("when even its compressed status is too long, then it ends in Error naming both sizes and the variable, without its handler, and stays so", async () => {
    // Each step's output is random text (the node keeps it as outputs.result): gzip cannot shrink it.
    const random = "head -c 1200 /dev/urandom | base64 | tr -d '\\n'";
    const name = createWorkflow(ns, loopYaml("too-large", 8, random));
    const done = await waitForWorkflowDone(ns, name);
    expect(done.status?.phase).toBe("Error");
    expect(done.status?.message).toMatch(
      new RegExp(
        `^workflow is longer than maximum allowed size: \\d+ bytes, \\d+ with status.nodes compressed, ` +
          `more than ONEXIT_MAX_WORKFLOW_SIZE=${LIMIT}$`,
      ),
    );
    expect(getRow(name)).toMatch(
      new RegExp(
        `^${name} Error \\S+ workflow is longer than maximum allowed size: .*ONEXIT_MAX_WORKFLOW_SIZE=`,
      ),
    );
    const got = runArgo(ns, ["get", name]).stdout;
    expect(got).toMatch(/^Status:\s+Error$/m);
    expect(got).toMatch(/^Message:\s+workflow is longer than maximum allowed size: /m);
    const released = await waitFor(
      () => {
        const workflow = getWorkflow(ns, name);
        return (workflow.metadata.finalizers ?? []).length === 0 ? workflow : undefined;
      },
      { timeoutMs: 30_000, description: `the finalizer of ${name} to be removed` },
    );
    await waitForPodsDone(ns, name);
    expect(handlerPods(ns, name)).toEqual([]);
    // Nothing more is written once its pods have ended: the Error status is a fixed point.
    expect(getWorkflow(ns, name).metadata.resourceVersion).toBe(released.metadata.resourceVersion);
  });
});
