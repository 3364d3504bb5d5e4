import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ARTIFACT_GC_ENV, ARTIFACT_GC_FINALIZER, parseArtifactGCJob } from "../../../common/artifact-gc.ts";
import type { Action } from "../types.ts";
import type { NodeStatus, Workflow } from "../workflow.ts";
import { GC_CONDITION, GC_DEADLINE_MS, artifactGC, keysOf, type GCInput } from "./gc.ts";
import { gcPodName } from "./gc-pod.ts";

const FINISHED = "2026-12-06T10:00:00Z";
const repository = {
  s3: {
    endpoint: "10.250.0.1:8333",
    bucket: "onexit-artifacts",
    insecure: true,
    accessKeySecret: { name: "cred", key: "accesskey" },
    secretKeySecret: { name: "cred", key: "secretkey" },
  },
};

function node(name: string, artifacts: NonNullable<NodeStatus["outputs"]>["artifacts"]): NodeStatus {
  return {
    id: name,
    name,
    displayName: name,
    type: "Pod",
    templateName: "t",
    phase: "Succeeded",
    outputs: { artifacts },
  };
}

function workflow(options: {
  strategy?: string;
  phase?: "Running" | "Succeeded";
  deleted?: boolean;
  finalizers?: string[];
  nodes?: NodeStatus[];
  processed?: Record<string, boolean>;
}): Workflow {
  const nodes = options.nodes ?? [
    node("wf-a", [
      { name: "out", s3: { key: "wf/wf-a/out.tgz" } },
      { name: "main-logs", s3: { key: "wf/wf-a/main.log" } },
    ]),
  ];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name: "wf",
      namespace: "team",
      uid: "uid-1",
      ...(options.finalizers === undefined ? {} : { finalizers: options.finalizers }),
      ...(options.deleted === true ? { deletionTimestamp: "2026-12-06T11:00:00Z" } : {}),
    },
    spec: {
      templates: [{ name: "t", container: { image: "alpine" } }],
      ...(options.strategy === undefined ? {} : { artifactGC: { strategy: options.strategy as never } }),
    },
    status: {
      phase: options.phase ?? "Succeeded",
      finishedAt: FINISHED,
      nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
      artifactRepositoryRef: { default: true, artifactRepository: repository },
      ...(options.processed === undefined
        ? {}
        : { artifactGCStatus: { strategiesProcessed: options.processed } }),
    },
  };
}

function input(wf: Workflow, more: Partial<GCInput> = {}): GCInput {
  return {
    wf,
    pods: new Map(),
    podCreateFailures: {},
    podsAwaitingCreate: {},
    foreignPods: new Map(),
    now: new Date(new Date(FINISHED).getTime() + 1000),
    image: "ghcr.io/onexit/onexit:0.1.0",
    ...more,
  };
}

function podIn(phase: "Succeeded" | "Failed" | "Pending", name: string, message?: string): V1Pod {
  const terminated = {
    exitCode: phase === "Succeeded" ? 0 : 1,
    ...(message === undefined ? {} : { message }),
  };
  return {
    metadata: { name, creationTimestamp: new Date(FINISHED) },
    status: {
      phase,
      ...(phase === "Pending"
        ? {}
        : { containerStatuses: [{ name: "main", state: { terminated } } as never] }),
    },
  };
}

const created = (actions: Action[]): V1Pod[] =>
  actions.flatMap((a) => (a.kind === "createPod" ? [a.pod] : []));

describe("artifactGC", () => {
  it("when a workflow with OnWorkflowCompletion has finished, then a GC pod is asked for with its keys and the store", () => {
    const result = artifactGC(input(workflow({ strategy: "OnWorkflowCompletion" })));
    const [pod] = created(result.actions);
    expect(pod?.metadata?.name).toBe(gcPodName(workflow({}), "OnWorkflowCompletion"));
    const env = pod?.spec?.containers[0]?.env ?? [];
    const job = parseArtifactGCJob(env.find((e) => e.name === ARTIFACT_GC_ENV)?.value).job;
    expect(job?.keys).toEqual(["wf/wf-a/main.log", "wf/wf-a/out.tgz"]);
    expect(job?.repository.bucket).toBe("onexit-artifacts");
    expect(env.filter((e) => e.valueFrom?.secretKeyRef?.name === "cred")).toHaveLength(2);
    expect(pod?.spec?.automountServiceAccountToken).toBe(false);
    expect(result.status.artifactGCStatus).toBeUndefined();
    expect(result.requeueAfterMs).toBe(GC_DEADLINE_MS - 1000);
  });

  it("when the GC pod succeeded, then the strategy is recorded as processed and nothing is asked again", () => {
    const wf = workflow({ strategy: "OnWorkflowCompletion" });
    const name = gcPodName(wf, "OnWorkflowCompletion");
    const result = artifactGC(input(wf, { pods: new Map([[name, podIn("Succeeded", name)]]) }));
    expect(result.status.artifactGCStatus?.strategiesProcessed).toEqual({ OnWorkflowCompletion: true });
    expect(created(result.actions)).toEqual([]);
    expect(result.status.conditions).toBeUndefined();
    const again = artifactGC(input({ ...wf, status: result.status }));
    expect(again.actions).toEqual([]);
  });

  it("when the GC pod failed, then the condition and a Warning name the keys and the store's answer", () => {
    const wf = workflow({ strategy: "OnWorkflowCompletion" });
    const name = gcPodName(wf, "OnWorkflowCompletion");
    const answer = "could not delete 1 of 2 key(s): wf/wf-a/out.tgz: AccessDenied: Access Denied (HTTP 403)";
    const result = artifactGC(input(wf, { pods: new Map([[name, podIn("Failed", name, answer)]]) }));
    const condition = result.status.conditions?.find((c) => c.type === GC_CONDITION);
    expect(condition?.message).toContain(`OnWorkflowCompletion: GC pod ${name} failed: ${answer}`);
    expect(condition?.message).toContain("2 key(s) left in bucket onexit-artifacts");
    expect(result.actions).toContainEqual(
      expect.objectContaining({ kind: "event", type: "Warning", reason: "ArtifactGCFailed" }),
    );
    expect(result.status.artifactGCStatus?.strategiesProcessed?.OnWorkflowCompletion).toBe(true);
  });

  it("when the GC pod cannot be created (a namespace being deleted), then it is recorded at once", () => {
    const wf = workflow({ strategy: "OnWorkflowCompletion" });
    const name = gcPodName(wf, "OnWorkflowCompletion");
    const refused = { [name]: "forbidden: namespace team is being terminated" };
    const result = artifactGC(input(wf, { podCreateFailures: refused }));
    expect(result.status.conditions?.[0]?.message).toMatch(
      /could not be created: forbidden: namespace team is being terminated/,
    );
    expect(created(result.actions)).toEqual([]);
  });

  it("when the GC pod has not finished by the deadline, then the collection is given up and recorded", () => {
    const wf = workflow({ strategy: "OnWorkflowCompletion" });
    const name = gcPodName(wf, "OnWorkflowCompletion");
    const late = new Date(new Date(FINISHED).getTime() + GC_DEADLINE_MS);
    const result = artifactGC(input(wf, { pods: new Map([[name, podIn("Pending", name)]]), now: late }));
    expect(result.status.conditions?.[0]?.message).toMatch(/not finished within 5 min/);
    expect(result.requeueAfterMs).toBeUndefined();
  });

  it("when a workflow may collect on deletion, then it holds the artifact-gc finalizer while it runs", () => {
    const result = artifactGC(input(workflow({ strategy: "OnWorkflowDeletion", phase: "Running" })));
    expect(result.actions).toEqual([{ kind: "addFinalizer", finalizer: ARTIFACT_GC_FINALIZER }]);
  });

  it("when it is deleted after finishing, then the GC pod runs and the finalizer is released even if it failed", () => {
    const wf = workflow({
      strategy: "OnWorkflowDeletion",
      deleted: true,
      finalizers: [ARTIFACT_GC_FINALIZER],
    });
    const first = artifactGC(input(wf));
    const name = gcPodName(wf, "OnWorkflowDeletion");
    expect(created(first.actions).map((p) => p.metadata?.name)).toEqual([name]);
    expect(first.actions).not.toContainEqual(expect.objectContaining({ kind: "removeFinalizer" }));
    const failed = artifactGC(
      input(wf, { pods: new Map([[name, podIn("Failed", name, "connection refused")]]) }),
    );
    expect(failed.actions).toContainEqual({ kind: "removeFinalizer", finalizer: ARTIFACT_GC_FINALIZER });
    expect(failed.status.conditions?.[0]?.message).toMatch(
      /^OnWorkflowDeletion: GC pod .* failed: connection refused/,
    );
  });

  it("when the workflow finished but is not deleted, then OnWorkflowDeletion waits and the finalizer stays", () => {
    const wf = workflow({ strategy: "OnWorkflowDeletion", finalizers: [ARTIFACT_GC_FINALIZER] });
    expect(artifactGC(input(wf)).actions).toEqual([]);
  });

  it("when there is nothing to delete, then the strategy is processed without a pod", () => {
    const wf = workflow({
      strategy: "OnWorkflowDeletion",
      deleted: true,
      finalizers: [ARTIFACT_GC_FINALIZER],
      nodes: [],
    });
    const result = artifactGC(input(wf));
    expect(created(result.actions)).toEqual([]);
    expect(result.actions).toContainEqual({ kind: "removeFinalizer", finalizer: ARTIFACT_GC_FINALIZER });
  });

  it("when the coordinator knows no image, then the collection fails saying so instead of waiting", () => {
    const result = artifactGC(input(workflow({ strategy: "OnWorkflowCompletion" }), { image: undefined }));
    expect(result.status.conditions?.[0]?.message).toMatch(/knows no image/);
  });
});

describe("keysOf", () => {
  it("when an artifact has its own strategy, then it wins over the workflow's, and Never keeps it", () => {
    const wf = workflow({
      strategy: "OnWorkflowCompletion",
      nodes: [
        node("wf-a", [
          { name: "a", s3: { key: "k/a" } },
          { name: "b", s3: { key: "k/b" }, artifactGC: { strategy: "OnWorkflowDeletion" } },
          { name: "c", s3: { key: "k/c" }, artifactGC: { strategy: "Never" } },
        ]),
      ],
    });
    expect(keysOf(wf, "OnWorkflowCompletion")).toEqual(["k/a"]);
    expect(keysOf(wf, "OnWorkflowDeletion")).toEqual(["k/b"]);
  });

  it("when the workflow sets no strategy, then nothing is deleted (Argo's default)", () => {
    expect(keysOf(workflow({}), "OnWorkflowCompletion")).toEqual([]);
  });
});
