// Fixtures shared by the webhook's tests: a fixed inject config and the review runner.
import fastJsonPatch, { type Operation } from "fast-json-patch";
import { decodeReview } from "../admission.ts";
import {
  DEFAULT_SIDECAR_RESOURCES,
  DEFAULT_SIDECAR_SECURITY_CONTEXT,
  type InjectConfig,
} from "../inject-config.ts";
import { reviewAdmission, type ReviewResult } from "../review.ts";

export const COORDINATOR_USER = { username: "system:serviceaccount:onexit:onexit-coordinator" };

export const testInjectConfig: InjectConfig = {
  image: "ghcr.io/onexit/onexit:test",
  resources: DEFAULT_SIDECAR_RESOURCES,
  securityContext: DEFAULT_SIDECAR_SECURITY_CONTEXT,
  coordinatorUrl: "https://onexit-coordinator.onexit.svc:443",
  coordinatorUsername: COORDINATOR_USER.username,
  coordinatorCa: "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n",
  deadlineSeconds: 300,
  version: "test",
};

export function runReview(body: unknown, config: InjectConfig = testInjectConfig): ReviewResult {
  const decoded = decodeReview(body);
  if (!decoded.ok) throw new Error(decoded.message);
  return reviewAdmission(decoded.request, config);
}

export function patchOf(result: ReviewResult): Operation[] {
  const patch = result.review.response.patch;
  return patch === undefined
    ? []
    : (JSON.parse(Buffer.from(patch, "base64").toString("utf8")) as Operation[]);
}

/** Applies the patch the way the API server would, on a copy. */
export function applyOps<T>(document: T, ops: Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(document), ops, true, true).newDocument;
}

/** A request body whose pod is replaced, as the API server would send on a re-invocation. */
export function withObject(body: unknown, object: unknown): unknown {
  const copy = structuredClone(body) as { request: { object: unknown } };
  copy.request.object = object;
  return copy;
}

/** An AdmissionReview whose pod spec is at least targetBytes of JSON (env values), built in memory. */
export function bigPodReview(targetBytes: number): { body: unknown; bytes: number } {
  const env: { name: string; value: string }[] = [];
  const value = "x".repeat(1000);
  for (let i = 0; i * 1000 < targetBytes; i++) env.push({ name: `VAR_${i}`, value });
  const body = {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "big",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      namespace: "default",
      operation: "CREATE",
      userInfo: COORDINATOR_USER,
      object: {
        metadata: { name: "big", namespace: "default", labels: { "workflows.argoproj.io/workflow": "big" } },
        spec: { containers: [{ name: "main", image: "busybox", env }], restartPolicy: "Never" },
      },
    },
  };
  return { body, bytes: Buffer.byteLength(JSON.stringify(body)) };
}
