import { describe, expect, it } from "vitest";
import {
  applyOps,
  bigPodReview,
  COORDINATOR_USER,
  patchOf,
  runReview,
  withObject,
} from "./testing/reviews.ts";

describe("reviewAdmission", () => {
  it("when the pod carries managedFields, then the patch never mentions them", () => {
    const body = {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "m",
        kind: { group: "", version: "v1", kind: "Pod" },
        resource: { group: "", version: "v1", resource: "pods" },
        operation: "CREATE",
        userInfo: COORDINATOR_USER,
        object: {
          metadata: { labels: { "workflows.argoproj.io/workflow": "w" }, managedFields: [{ manager: "x" }] },
          spec: { containers: [{ name: "main", image: "i" }] },
        },
      },
    };
    const ops = patchOf(runReview(body));
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.some((op) => op.path.includes("managedFields"))).toBe(false);
    const patched = applyOps(body.request.object, ops) as { metadata: { managedFields: unknown } };
    expect(patched.metadata.managedFields).toEqual([{ manager: "x" }]);
  });

  it("when a ~1 MiB pod is reviewed, then it is injected, the patch is small and re-review is empty", () => {
    const { body, bytes } = bigPodReview(1024 * 1024);
    expect(bytes).toBeGreaterThan(1024 * 1024);
    const result = runReview(body);
    expect(result.outcome).toBe("injected");
    const ops = patchOf(result);
    expect(ops.map((op) => op.path)).toEqual([
      "/spec/containers/1",
      "/spec/volumes",
      "/metadata/annotations",
    ]);
    expect(result.review.response.patch?.length).toBeLessThan(8 * 1024);
    const object = (body as { request: { object: unknown } }).request.object;
    const again = runReview(withObject(body, applyOps(object, ops)));
    expect(again.review.response.patch).toBeUndefined();
  });

  it("when the uid is copied, then it is the request's", () => {
    const { body } = bigPodReview(10);
    expect(runReview(body).review.response.uid).toBe("big");
  });
});
