// Which API reads the coordinator relays for a sidecar, pure: the watch of its own pod and
// main's log, nothing else, and only for the pod its token is bound to. The sidecar then
// needs no RBAC of its own, and no workflow pod can read another pod through us.
import type { V1Pod, V1TokenReviewStatus } from "@kubernetes/client-node";
import { LABEL_WORKFLOW, MAIN_CONTAINER, POD_PROXY_PREFIX } from "../common/names.ts";
import { EXTRA_POD_NAME, EXTRA_POD_UID } from "./report-handler.ts";

/** The longest server-side watch timeout relayed; the sidecar asks for 25 s. */
const MAX_WATCH_TIMEOUT_SECONDS = 600;

export type ProxyTarget =
  | { kind: "watch"; namespace: string; pod: string; query: Record<string, string> }
  | { kind: "log"; namespace: string; pod: string; query: Record<string, string> };

export interface Refusal {
  status: 400 | 401 | 403 | 404;
  error: string;
}

export type ParsedTarget = { ok: true; target: ProxyTarget } | ({ ok: false } & Refusal);

const SEGMENT = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const WATCH_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/;
const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;
const BOOLEAN = /^(true|false|1|0)$/;

function refuse(status: Refusal["status"], error: string): { ok: false } & Refusal {
  return { ok: false, status, error };
}

/** Every parameter must be one we know, given once; `check` answers why a value is wrong. */
function pickQuery(
  query: URLSearchParams,
  allowed: Record<string, (value: string) => string | undefined>,
): { ok: true; query: Record<string, string> } | ({ ok: false } & Refusal) {
  const picked: Record<string, string> = {};
  for (const key of new Set(query.keys())) {
    const check = allowed[key];
    if (check === undefined) return refuse(400, `query parameter "${key}" is not allowed here`);
    const values = query.getAll(key);
    if (values.length > 1) return refuse(400, `query parameter "${key}" given ${values.length} times`);
    const value = values[0] ?? "";
    const problem = check(value);
    if (problem !== undefined) return refuse(400, `query parameter "${key}" ${problem}`);
    picked[key] = value;
  }
  return { ok: true, query: picked };
}

const isBoolean = (v: string): string | undefined => (BOOLEAN.test(v) ? undefined : "must be true or false");
const anyValue = (): undefined => undefined;
const watchTimeout = (v: string): string | undefined => {
  const n = Number(v);
  return /^\d+$/.test(v) && n >= 1 && n <= MAX_WATCH_TIMEOUT_SECONDS
    ? undefined
    : `must be a whole number of seconds from 1 to ${MAX_WATCH_TIMEOUT_SECONDS}`;
};

function parseWatch(namespace: string, query: URLSearchParams): ParsedTarget {
  const picked = pickQuery(query, {
    watch: (v) => (v === "true" || v === "1" ? undefined : "must be true: only watches are relayed"),
    fieldSelector: (v) =>
      /^metadata\.name=[^,=]+$/.test(v) ? undefined : "must be metadata.name=<your pod>",
    timeoutSeconds: watchTimeout,
    resourceVersion: anyValue,
    allowWatchBookmarks: isBoolean,
  });
  if (!picked.ok) return picked;
  const selector = picked.query.fieldSelector;
  if (picked.query.watch === undefined || selector === undefined)
    return refuse(
      400,
      "only a watch of one pod is relayed: watch=true&fieldSelector=metadata.name=<your pod>",
    );
  const pod = selector.slice("metadata.name=".length);
  return { ok: true, target: { kind: "watch", namespace, pod, query: picked.query } };
}

function parseLog(namespace: string, pod: string, query: URLSearchParams): ParsedTarget {
  const picked = pickQuery(query, {
    container: (v) => (v === MAIN_CONTAINER ? undefined : `must be "${MAIN_CONTAINER}"`),
    follow: isBoolean,
  });
  if (!picked.ok) return picked;
  if (picked.query.container === undefined) return refuse(400, `container=${MAIN_CONTAINER} is required`);
  return { ok: true, target: { kind: "log", namespace, pod, query: picked.query } };
}

function decoded(segment: string): string | undefined {
  try {
    const value = decodeURIComponent(segment);
    return SEGMENT.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The relayed read a sidecar asked for, from the path below POD_PROXY_PREFIX and its query. */
export function parseProxyRequest(method: string, path: string, query: URLSearchParams): ParsedTarget {
  if (method !== "GET") return refuse(403, `${method} is not allowed: the pod proxy is read-only`);
  const watch = WATCH_PATH.exec(path);
  const log = LOG_PATH.exec(path);
  const namespace = decoded((watch ?? log)?.[1] ?? "");
  if (namespace === undefined || (watch === null && log === null))
    return refuse(
      404,
      `${POD_PROXY_PREFIX}${path} is not relayed: only the watch of your own pod and its main log are`,
    );
  if (watch !== null) return parseWatch(namespace, query);
  const pod = decoded(log?.[2] ?? "");
  if (pod === undefined) return refuse(404, `pod name in ${path} is not valid`);
  return parseLog(namespace, pod, query);
}

/** The API server path and query to relay: the parameters were checked, nothing else is passed. */
export function upstreamPath(target: ProxyTarget): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods`;
  const path = target.kind === "watch" ? base : `${base}/${encodeURIComponent(target.pod)}/log`;
  return `${path}?${new URLSearchParams(target.query).toString()}`;
}

function only(values: string[] | undefined): string | undefined {
  return values?.length === 1 ? values[0] : undefined;
}

/** The pod a reviewed token is bound to, or why it is bound to none we serve. */
export function boundPod(
  review: V1TokenReviewStatus,
): { ok: true; namespace: string; name: string; uid: string } | ({ ok: false } & Refusal) {
  if (review.authenticated !== true)
    return refuse(401, `token not accepted${review.error ? `: ${review.error}` : ""}`);
  const username = review.user?.username ?? "";
  const match = /^system:serviceaccount:([^:]+):[^:]+$/.exec(username);
  const extra = review.user?.extra ?? {};
  const name = only(extra[EXTRA_POD_NAME]);
  const uid = only(extra[EXTRA_POD_UID]);
  if (match === null || name === undefined || uid === undefined)
    return refuse(403, `token of ${username || "nobody"} is not bound to a pod`);
  return { ok: true, namespace: match[1] ?? "", name, uid };
}

/** Undefined when the bound pod may make this read, else the refusal. `pod` is the live object (undefined: not found). */
export function authorizeProxy(
  target: ProxyTarget,
  review: V1TokenReviewStatus,
  pod: V1Pod | undefined,
): Refusal | undefined {
  const bound = boundPod(review);
  if (!bound.ok) return { status: bound.status, error: bound.error };
  const asked = `${target.namespace}/${target.pod}`;
  if (bound.namespace !== target.namespace || bound.name !== target.pod)
    return { status: 403, error: `token is bound to pod ${bound.namespace}/${bound.name}, not ${asked}` };
  if (pod === undefined || pod.metadata?.uid !== bound.uid)
    return { status: 404, error: `pod ${asked} with uid ${bound.uid} not found` };
  if (!pod.metadata.labels?.[LABEL_WORKFLOW])
    return { status: 403, error: `pod ${asked} is not a workflow pod` };
  return undefined;
}
