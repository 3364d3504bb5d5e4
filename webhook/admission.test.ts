import { describe, expect, it } from "vitest";
import { decodeReview } from "./admission.ts";

const request = {
  uid: "u1",
  kind: { group: "", version: "v1", kind: "Pod" },
  resource: { group: "", version: "v1", resource: "pods" },
  operation: "CREATE",
};

describe("decodeReview", () => {
  it("when the envelope is admission.k8s.io/v1 AdmissionReview, then the request is returned", () => {
    const result = decodeReview({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
    expect(result.ok && result.request.uid).toBe("u1");
  });

  it("when the apiVersion is v1beta1, then the message names what was expected and what came", () => {
    const result = decodeReview({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request });
    expect(result).toEqual({
      ok: false,
      message: "expected admission.k8s.io/v1 AdmissionReview, got admission.k8s.io/v1beta1/AdmissionReview",
    });
  });

  it("when the kind is wrong, then it is refused", () => {
    expect(decodeReview({ apiVersion: "admission.k8s.io/v1", kind: "Pod", request }).ok).toBe(false);
  });

  it("when the body is an array, a string or null, then it is refused", () => {
    for (const body of [[], "x", null, 3]) expect(decodeReview(body).ok).toBe(false);
  });

  it("when the request has no uid, then the message says so", () => {
    const { uid: _uid, ...noUid } = request;
    const result = decodeReview({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: noUid,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/request\.uid/);
  });

  it("when there is no request at all, then it is refused", () => {
    const result = decodeReview({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" });
    expect(result.ok).toBe(false);
  });
});
