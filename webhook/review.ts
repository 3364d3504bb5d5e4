// AdmissionRequest → AdmissionReview response, pure. Decides skip/inject/deny and turns the
// mutation into a JSON patch by diffing (fast-json-patch `compare`), so escaping is right by construction.
import type { V1Pod } from "@kubernetes/client-node";
import fastJsonPatch from "fast-json-patch";
import { z } from "zod";
import { describeIssues } from "../common/issues.ts";
import { LABEL_WORKFLOW } from "../common/names.ts";
import { reviewResponse, type AdmissionRequest, type AdmissionReviewOut } from "./admission.ts";
import type { InjectConfig } from "./inject-config.ts";
import { injectPod, skipReason } from "./inject.ts";

export type Outcome = "injected" | "skipped" | "denied" | "error";
/** Why a workflow-labelled pod was left alone on purpose (counted and logged). */
export type InjectionSkip = "not_created_by_coordinator";
export const INJECTION_SKIPS: readonly InjectionSkip[] = ["not_created_by_coordinator"];

export interface ReviewResult {
  review: AdmissionReviewOut;
  outcome: Outcome;
  /** One line for the webhook's log. */
  detail: string;
  /** Set when a workflow-labelled pod was deliberately not injected. */
  skipped?: InjectionSkip;
}

const named = z.looseObject({ name: z.string().min(1) });
const podSchema = z.looseObject({
  metadata: z
    .looseObject({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  spec: z.looseObject({
    containers: z.array(named).min(1),
    initContainers: z.array(named).optional(),
    volumes: z.array(named).optional(),
  }),
});

function isPodCreate(request: AdmissionRequest): string | undefined {
  const { kind, resource } = request;
  if (kind.group !== "" || kind.version !== "v1" || kind.kind !== "Pod" || resource.resource !== "pods") {
    return `not a pod (${kind.group || "core"}/${kind.version} ${kind.kind})`;
  }
  if (request.subResource) return `subresource ${request.subResource}`;
  if (request.operation !== "CREATE") return `operation ${request.operation}`;
  return undefined;
}

function allowed(request: AdmissionRequest, detail: string, warnings: string[] = []): ReviewResult {
  const response = { uid: request.uid, allowed: true, ...(warnings.length > 0 ? { warnings } : {}) };
  return { review: reviewResponse(response), outcome: "skipped", detail };
}

function denied(request: AdmissionRequest, message: string): ReviewResult {
  const status = { code: 400, reason: "BadRequest", message };
  return {
    review: reviewResponse({ uid: request.uid, allowed: false, status }),
    outcome: "denied",
    detail: message,
  };
}

/** Only the coordinator's pods get the sidecar and its coordinator-audience token: anyone else
 * labelling a pod gets neither (no way to report, or to read through the pod proxy). */
function notByCoordinator(request: AdmissionRequest, config: InjectConfig): ReviewResult | undefined {
  const creator = request.userInfo?.username ?? "";
  if (creator === config.coordinatorUsername) return undefined;
  const detail = `created by ${creator || "an unknown user"}, not by the coordinator (${config.coordinatorUsername})`;
  return { ...allowed(request, detail), skipped: "not_created_by_coordinator" };
}

export function reviewAdmission(request: AdmissionRequest, config: InjectConfig): ReviewResult {
  const notOurs = isPodCreate(request);
  if (notOurs !== undefined) return allowed(request, notOurs);
  const decoded = podSchema.safeParse(request.object);
  if (!decoded.success) {
    const detail = describeIssues(decoded.error, { root: "object" });
    return denied(request, `onexit: cannot decode the pod: ${detail}`);
  }
  const pod = structuredClone(request.object) as V1Pod;
  if (pod.metadata?.labels?.[LABEL_WORKFLOW] === undefined) return allowed(request, "no workflow label");
  const foreign = notByCoordinator(request, config);
  if (foreign !== undefined) return foreign;
  const reason = skipReason(pod);
  if (reason !== undefined) {
    const warnings = reason === "already injected" ? [] : [`onexit: wait sidecar not injected: ${reason}`];
    return allowed(request, reason, warnings);
  }
  if (pod.metadata?.managedFields !== undefined) delete pod.metadata.managedFields;
  const operations = fastJsonPatch.compare(pod, injectPod(pod, config));
  if (operations.length === 0) return allowed(request, "nothing to change");
  const patch = Buffer.from(JSON.stringify(operations)).toString("base64");
  const response = { uid: request.uid, allowed: true, patchType: "JSONPatch" as const, patch };
  return { review: reviewResponse(response), outcome: "injected", detail: `${operations.length} operations` };
}
