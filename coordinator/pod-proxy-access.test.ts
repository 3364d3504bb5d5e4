import type { V1Pod, V1TokenReviewStatus } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { LABEL_WORKFLOW } from "../common/names.ts";
import {
  authorizeProxy,
  boundPod,
  parseProxyRequest,
  upstreamPath,
  type ProxyTarget,
} from "./pod-proxy-access.ts";

const q = (text: string): URLSearchParams => new URLSearchParams(text);
const WATCH = "/api/v1/namespaces/ns1/pods";
const LOG = "/api/v1/namespaces/ns1/pods/wf-a/log";

function target(method: string, path: string, query: string): ProxyTarget {
  const parsed = parseProxyRequest(method, path, q(query));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.target;
}

const review: V1TokenReviewStatus = {
  authenticated: true,
  user: {
    username: "system:serviceaccount:ns1:default",
    extra: {
      "authentication.kubernetes.io/pod-name": ["wf-a"],
      "authentication.kubernetes.io/pod-uid": ["uid-a"],
    },
  },
};
const pod: V1Pod = {
  metadata: { name: "wf-a", namespace: "ns1", uid: "uid-a", labels: { [LABEL_WORKFLOW]: "wf" } },
};

describe("parseProxyRequest", () => {
  it("when the sidecar watches its pod as it does today, then the watch is parsed and relayed with the same query", () => {
    const t = target("GET", WATCH, "fieldSelector=metadata.name%3Dwf-a&timeoutSeconds=25&watch=true");
    expect(t).toEqual({
      kind: "watch",
      namespace: "ns1",
      pod: "wf-a",
      query: { fieldSelector: "metadata.name=wf-a", timeoutSeconds: "25", watch: "true" },
    });
    expect(upstreamPath(t)).toBe(
      "/api/v1/namespaces/ns1/pods?fieldSelector=metadata.name%3Dwf-a&timeoutSeconds=25&watch=true",
    );
  });

  it("when main's log is followed, then the log read is parsed", () => {
    const t = target("GET", LOG, "container=main&follow=true");
    expect(t).toMatchObject({ kind: "log", namespace: "ns1", pod: "wf-a" });
    expect(upstreamPath(t)).toBe("/api/v1/namespaces/ns1/pods/wf-a/log?container=main&follow=true");
  });

  it.each([
    ["POST", WATCH, "watch=true&fieldSelector=metadata.name%3Dwf-a", 403, /read-only/],
    ["GET", "/api/v1/namespaces/ns1/secrets", "", 404, /not relayed/],
    ["GET", "/api/v1/namespaces/ns1/pods/wf-a", "", 404, /not relayed/],
    ["GET", "/api/v1/namespaces/NS!/pods", "watch=true", 404, /not relayed/],
    ["GET", WATCH, "fieldSelector=metadata.name%3Dwf-a", 400, /only a watch/],
    ["GET", WATCH, "watch=true", 400, /only a watch/],
    ["GET", WATCH, "watch=false&fieldSelector=metadata.name%3Dwf-a", 400, /must be true/],
    ["GET", WATCH, "watch=true&fieldSelector=metadata.name%3Da,metadata.name%3Db", 400, /fieldSelector/],
    ["GET", WATCH, "watch=true&fieldSelector=metadata.name%3Da&labelSelector=x", 400, /labelSelector/],
    ["GET", WATCH, "watch=true&fieldSelector=metadata.name%3Da&timeoutSeconds=99999", 400, /timeoutSeconds/],
    ["GET", LOG, "container=other", 400, /container/],
    ["GET", LOG, "follow=true", 400, /container=main is required/],
    ["GET", LOG, "container=main&container=main", 400, /2 times/],
    ["GET", LOG, "container=main&previous=true", 400, /previous/],
  ] as const)("when %s %s?%s, then it is refused with %d", (...[method, path, query, status, error]) => {
    const parsed = parseProxyRequest(method, path, q(query));
    expect(parsed).toMatchObject({ ok: false, status });
    expect(parsed.ok ? "" : parsed.error).toMatch(error);
  });
});

describe("authorizeProxy", () => {
  const watch = target("GET", WATCH, "watch=true&fieldSelector=metadata.name%3Dwf-a");
  const log = target("GET", LOG, "container=main");

  it("when the token is bound to exactly this workflow pod, then both reads are allowed", () => {
    expect(authorizeProxy(watch, review, pod)).toBeUndefined();
    expect(authorizeProxy(log, review, pod)).toBeUndefined();
  });

  it("when the token was not accepted, then 401 with the review's error", () => {
    expect(authorizeProxy(log, { authenticated: false, error: "expired" }, pod)).toEqual({
      status: 401,
      error: "token not accepted: expired",
    });
  });

  it("when the token is not bound to a pod, then 403", () => {
    const unbound = { authenticated: true, user: { username: "system:serviceaccount:ns1:default" } };
    expect(authorizeProxy(log, unbound, pod)).toMatchObject({ status: 403, error: /not bound to a pod/ });
    const person = { ...review, user: { ...review.user, username: "alice" } };
    expect(authorizeProxy(log, person, pod)).toMatchObject({ status: 403 });
  });

  it("when another pod or namespace is asked for, then 403 naming the bound pod", () => {
    const other = target("GET", "/api/v1/namespaces/ns1/pods/wf-b/log", "container=main");
    expect(authorizeProxy(other, review, pod)).toEqual({
      status: 403,
      error: "token is bound to pod ns1/wf-a, not ns1/wf-b",
    });
    const elsewhere = target(
      "GET",
      "/api/v1/namespaces/ns2/pods",
      "watch=1&fieldSelector=metadata.name%3Dwf-a",
    );
    expect(authorizeProxy(elsewhere, review, pod)).toMatchObject({ status: 403 });
  });

  it("when the pod is gone or was recreated under the same name, then 404", () => {
    expect(authorizeProxy(log, review, undefined)).toMatchObject({ status: 404 });
    const recreated = { metadata: { ...pod.metadata, uid: "uid-new" } };
    expect(authorizeProxy(log, review, recreated)).toMatchObject({ status: 404 });
  });

  it("when the pod carries no workflow label, then 403", () => {
    const plain = { metadata: { ...pod.metadata, labels: {} } };
    expect(authorizeProxy(log, review, plain)).toEqual({
      status: 403,
      error: "pod ns1/wf-a is not a workflow pod",
    });
  });

  it("when two pod names are in the token's extra, then it is bound to none", () => {
    const two = structuredClone(review);
    two.user!.extra!["authentication.kubernetes.io/pod-name"] = ["wf-a", "wf-b"];
    expect(boundPod(two)).toMatchObject({ ok: false, status: 403 });
  });
});
