import type { V1Pod, V1TokenReviewStatus } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { ANNOTATION_REPORT } from "../common/names.ts";
import { bearerToken, handleReport, type ReportDeps } from "./report-handler.ts";

const report = {
  podName: "wf",
  podUid: "uid-1",
  namespace: "default",
  exitCode: 1,
  reason: "Error",
  startedAt: "2026-11-23T10:00:00Z",
  finishedAt: "2026-11-23T10:00:01Z",
  logBytes: 12,
  logLines: 1,
  logTail: "failed step\n",
};

const boundTo = (podName: string, podUid: string, ns = "default"): V1TokenReviewStatus => ({
  authenticated: true,
  audiences: ["onexit-coordinator"],
  user: {
    username: `system:serviceaccount:${ns}:default`,
    extra: {
      "authentication.kubernetes.io/pod-name": [podName],
      "authentication.kubernetes.io/pod-uid": [podUid],
    },
  },
});

interface World {
  deps: ReportDeps;
  pods: Map<string, V1Pod>;
  patches: { pod: string; key: string; value: string }[];
  reviewed: { token: string; audiences: string[] }[];
  stored: string[];
}

function world(review: V1TokenReviewStatus | Error = boundTo("wf", "uid-1"), conflicts = 0): World {
  const pods = new Map<string, V1Pod>([
    [
      "default/wf",
      {
        metadata: {
          name: "wf",
          namespace: "default",
          uid: "uid-1",
          resourceVersion: "5",
          labels: { "workflows.argoproj.io/workflow": "wf" },
        },
      },
    ],
  ]);
  const patches: World["patches"] = [];
  const reviewed: World["reviewed"] = [];
  const stored: string[] = [];
  let remainingConflicts = conflicts;
  const deps: ReportDeps = {
    reviewToken: async (token, audiences) => {
      reviewed.push({ token, audiences });
      if (review instanceof Error) throw review;
      return review;
    },
    getPod: async (ns, name) => structuredClone(pods.get(`${ns}/${name}`)),
    annotatePod: async (pod, key, value) => {
      if (remainingConflicts-- > 0) throw Object.assign(new Error("conflict"), { code: 409 });
      patches.push({ pod: pod.metadata?.name ?? "", key, value });
      const stored = pods.get(`${pod.metadata?.namespace}/${pod.metadata?.name}`)!;
      stored.metadata!.annotations = { ...stored.metadata!.annotations, [key]: value };
    },
    onStored: (key) => stored.push(key),
  };
  return { deps, pods, patches, reviewed, stored };
}

const post = (w: World, body: unknown = report, authorization: string | undefined = "Bearer tok") =>
  handleReport({ authorization, body }, w.deps);

describe("handleReport", () => {
  it("when the token is bound to the reporting pod, then the report is stored as its annotation and acknowledged", async () => {
    const w = world();
    const res = await post(w);
    expect(res).toMatchObject({ status: 200, body: { ok: true }, outcome: "accepted" });
    expect(w.reviewed).toEqual([{ token: "tok", audiences: ["onexit-coordinator"] }]);
    expect(w.patches).toHaveLength(1);
    expect(JSON.parse(w.patches[0]!.value)).toEqual({ ...report, outputs: [] });
    expect(w.patches[0]!.key).toBe(ANNOTATION_REPORT);
    expect(w.stored).toEqual(["default/wf"]);
  });

  it("when the same report comes twice, then the second is a 200 duplicate and nothing is rewritten", async () => {
    const w = world();
    await post(w);
    const again = await post(w);
    expect(again).toMatchObject({ status: 200, body: { ok: true, duplicate: true }, outcome: "duplicate" });
    expect(w.patches).toHaveLength(1);
  });

  it("when there is no bearer token, then it is 401 and no review is made", async () => {
    const w = world();
    expect(await handleReport({ authorization: undefined, body: report }, w.deps)).toMatchObject({
      status: 401,
      outcome: "unauthenticated",
    });
    expect(await post(w, report, "Basic abc")).toMatchObject({ status: 401 });
    expect(w.reviewed).toEqual([]);
  });

  it("when the token is not authenticated, then it is 401 and nothing changes", async () => {
    const w = world({ authenticated: false, error: "token expired" });
    const res = await post(w);
    expect(res).toMatchObject({ status: 401, body: { error: "token not accepted: token expired" } });
    expect(w.patches).toEqual([]);
  });

  it("when the token belongs to another pod, then it is 403 with the reason and nothing changes", async () => {
    const w = world(boundTo("other-pod", "uid-2"));
    const res = await post(w);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "token is bound to pod other-pod, not wf" });
    expect(w.patches).toEqual([]);
  });

  it("when the pod uid differs or the user is from another namespace, then it is 403", async () => {
    expect((await post(world(boundTo("wf", "uid-other")))).status).toBe(403);
    expect((await post(world(boundTo("wf", "uid-1", "elsewhere")))).body).toMatchObject({
      error: expect.stringContaining("not a service account of namespace default"),
    });
  });

  it("when the body is not a valid report, then it is 400 with the parser's message and nothing changes", async () => {
    const w = world();
    const res = await post(w, { ...report, exitCode: "one" });
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toContain("exitCode");
    expect(w.patches).toEqual([]);
  });

  it("when the pod is gone or was replaced, then it is 404", async () => {
    const w = world();
    w.pods.get("default/wf")!.metadata!.uid = "uid-new";
    expect(await post(w)).toMatchObject({ status: 404, outcome: "not_found" });
    w.pods.clear();
    expect((await post(w)).status).toBe(404);
  });

  it("when the pod has no workflow label, then it is 403", async () => {
    const w = world();
    w.pods.get("default/wf")!.metadata!.labels = {};
    expect(await post(w)).toMatchObject({ status: 403, outcome: "forbidden" });
  });

  it("when the pod changes under the patch, then the store is retried from a fresh read", async () => {
    const w = world(boundTo("wf", "uid-1"), 2);
    expect(await post(w)).toMatchObject({ status: 200, outcome: "accepted", fields: { attempt: 3 } });
  });

  it("when the pod cache holds the very pod, then the report is stored without a GET", async () => {
    const w = world();
    const gets: string[] = [];
    const live = w.deps.getPod;
    w.deps.getPod = (ns, name) => {
      gets.push(name);
      return live(ns, name);
    };
    w.deps.cachedPod = (ns, name) => structuredClone(w.pods.get(`${ns}/${name}`));
    expect(await post(w)).toMatchObject({ status: 200, outcome: "accepted" });
    expect(gets).toEqual([]);
  });

  it("when the cached pod is stale, then the refused patch is retried from a live read and sees a duplicate", async () => {
    const w = world();
    const stale = structuredClone(w.pods.get("default/wf"));
    w.deps.cachedPod = () => structuredClone(stale);
    await post(w);
    // The store now holds the report; the cache does not: the stale copy's patch is a conflict.
    const patchOnce = w.deps.annotatePod;
    let conflicts = 0;
    w.deps.annotatePod = (pod, key, value) => {
      if (pod.metadata?.annotations?.[key] === undefined) {
        conflicts++;
        return Promise.reject(Object.assign(new Error("conflict"), { code: 409 }));
      }
      return patchOnce(pod, key, value);
    };
    expect(await post(w)).toMatchObject({ status: 200, outcome: "duplicate" });
    expect(conflicts).toBe(1);
    expect(w.patches).toHaveLength(1);
  });

  it("when the cache holds a namesake (another uid), then the pod is read live", async () => {
    const w = world();
    w.deps.cachedPod = () => ({ metadata: { name: "wf", namespace: "default", uid: "uid-old" } });
    expect(await post(w)).toMatchObject({ status: 200, outcome: "accepted" });
  });

  it("when the token review cannot be made, then it is 503 so the sidecar retries", async () => {
    expect(await post(world(new Error("connection refused")))).toMatchObject({
      status: 503,
      outcome: "error",
    });
  });
});

describe("bearerToken", () => {
  it("when the scheme is any case of Bearer, then the token is extracted", () => {
    expect(bearerToken("bearer abc.def")).toBe("abc.def");
    expect(bearerToken("Bearer ")).toBeUndefined();
  });
});
