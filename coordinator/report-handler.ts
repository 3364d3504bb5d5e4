// POST /v1/reports without HTTP: authenticate the bearer token (TokenReview, our audience),
// validate the report, check that the token is bound to exactly the pod the report is about,
// and make the report durable as that pod's annotation before acknowledging. Every refusal
// leaves the cluster untouched. Duplicates (same pod uid, annotation already there) are a 200.
import type { V1Pod, V1TokenReviewStatus } from "@kubernetes/client-node";
import { ANNOTATION_REPORT, LABEL_WORKFLOW, REPORT_AUDIENCE } from "../common/names.ts";
import { parseReport, type Report } from "../common/report.ts";
import { workflowKey, type WorkflowKey } from "../common/workflow-key.ts";
import { apiErrorMessage, isConflict } from "./kube-client.ts";
import type { ReportOutcome } from "./metrics.ts";

export const EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
export const EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";

export interface ReportDeps {
  reviewToken: (token: string, audiences: string[]) => Promise<V1TokenReviewStatus>;
  getPod: (namespace: string, name: string) => Promise<V1Pod | undefined>;
  /**
   * The pod informer's copy, tried first: a report then costs no GET. A stale copy only costs a
   * 409 on the patch (its resourceVersion is a precondition), after which the pod is read live.
   */
  cachedPod?: (namespace: string, name: string) => V1Pod | undefined;
  /** Merge-patches the annotation, with the pod's uid and resourceVersion as preconditions. */
  annotatePod: (pod: V1Pod, key: string, value: string) => Promise<void>;
  /** Called once a report is stored: the workflow deserves a look now. */
  onStored?: (workflowKey: WorkflowKey) => void;
}

export interface ReportRequest {
  authorization: string | undefined;
  body: unknown;
}

export interface ReportResponse {
  status: number;
  body: { ok: true; duplicate?: boolean } | { error: string };
  outcome: ReportOutcome;
  /** What to log about this request (never the token). */
  fields: Record<string, string | number | undefined>;
}

const MAX_STORE_ATTEMPTS = 3;

function refuse(status: number, outcome: ReportOutcome, error: string, fields = {}): ReportResponse {
  return { status, body: { error }, outcome, fields };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/** Why this reviewed identity may not report for this pod, or undefined when it may. */
function identityMismatch(status: V1TokenReviewStatus, report: Report): string | undefined {
  const username = status.user?.username ?? "";
  const prefix = `system:serviceaccount:${report.namespace}:`;
  if (!username.startsWith(prefix) || username.length === prefix.length) {
    return `token belongs to ${username || "nobody"}, not a service account of namespace ${report.namespace}`;
  }
  const extra = status.user?.extra ?? {};
  return (
    boundMismatch("pod", extra[EXTRA_POD_NAME], report.podName) ??
    boundMismatch("pod uid", extra[EXTRA_POD_UID], report.podUid)
  );
}

function boundMismatch(what: string, bound: string[] | undefined, claimed: string): string | undefined {
  if (bound?.length === 1 && bound[0] === claimed) return undefined;
  return `token is bound to ${what} ${bound?.join(",") || "(none)"}, not ${claimed}`;
}

export async function handleReport(request: ReportRequest, deps: ReportDeps): Promise<ReportResponse> {
  const token = bearerToken(request.authorization);
  if (token === undefined) return refuse(401, "unauthenticated", "missing bearer token");
  let review: V1TokenReviewStatus;
  try {
    review = await deps.reviewToken(token, [REPORT_AUDIENCE]);
  } catch (err) {
    return refuse(503, "error", `token review failed: ${apiErrorMessage(err)}`);
  }
  if (review.authenticated !== true) {
    return refuse(401, "unauthenticated", `token not accepted${review.error ? `: ${review.error}` : ""}`);
  }
  const parsed = parseReport(request.body);
  if (!parsed.ok) return refuse(400, "invalid", parsed.error, { user: review.user?.username });
  const report = parsed.report;
  const fields = { namespace: report.namespace, pod: report.podName, exitCode: report.exitCode };
  const mismatch = identityMismatch(review, report);
  if (mismatch !== undefined)
    return refuse(403, "forbidden", mismatch, { ...fields, user: review.user?.username });
  try {
    return await store(report, deps, fields);
  } catch (err) {
    return refuse(503, "error", `cannot store report: ${apiErrorMessage(err)}`, fields);
  }
}

async function store(
  report: Report,
  deps: ReportDeps,
  fields: ReportResponse["fields"],
): Promise<ReportResponse> {
  for (let attempt = 1; attempt <= MAX_STORE_ATTEMPTS; attempt++) {
    const checked = checkPod(await readPod(report, deps, attempt), report, fields);
    if ("refused" in checked) return checked.refused;
    const { pod, workflow } = checked;
    if (pod.metadata?.annotations?.[ANNOTATION_REPORT] !== undefined) {
      return {
        status: 200,
        body: { ok: true, duplicate: true },
        outcome: "duplicate",
        fields: { ...fields, workflow },
      };
    }
    try {
      await deps.annotatePod(pod, ANNOTATION_REPORT, JSON.stringify(report));
    } catch (err) {
      if (isConflict(err) && attempt < MAX_STORE_ATTEMPTS) continue; // the kubelet moved the pod on: look again
      throw err;
    }
    deps.onStored?.(workflowKey(report.namespace, workflow));
    return { status: 200, body: { ok: true }, outcome: "accepted", fields: { ...fields, workflow, attempt } };
  }
  return refuse(503, "error", "pod kept changing; retry", fields);
}

/** The cached pod on the first attempt when it is the very one (same uid), else a live GET. */
async function readPod(report: Report, deps: ReportDeps, attempt: number): Promise<V1Pod | undefined> {
  const cached = attempt === 1 ? deps.cachedPod?.(report.namespace, report.podName) : undefined;
  if (cached?.metadata?.uid === report.podUid) return cached;
  return deps.getPod(report.namespace, report.podName);
}

/** The pod must be the very one (same uid) and a workflow's. */
function checkPod(
  pod: V1Pod | undefined,
  report: Report,
  fields: ReportResponse["fields"],
): { refused: ReportResponse } | { pod: V1Pod; workflow: string } {
  if (pod === undefined || pod.metadata?.uid !== report.podUid) {
    const message = `pod ${report.namespace}/${report.podName} with uid ${report.podUid} not found`;
    return { refused: refuse(404, "not_found", message, fields) };
  }
  const workflow = pod.metadata.labels?.[LABEL_WORKFLOW];
  if (workflow === undefined || workflow === "") {
    return { refused: refuse(403, "forbidden", `pod ${report.podName} is not a workflow pod`, fields) };
  }
  return { pod, workflow };
}
