// AdmissionReview v1 (admission.k8s.io/v1): the envelope, validated at the HTTP edge.
import { z } from "zod";
import { describeIssues } from "../common/issues.ts";

export const ADMISSION_API_VERSION = "admission.k8s.io/v1";
export const ADMISSION_KIND = "AdmissionReview";

const groupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });
const groupVersionResource = z.object({ group: z.string(), version: z.string(), resource: z.string() });

const requestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: groupVersionKind,
  resource: groupVersionResource,
  subResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.string(),
  object: z.unknown().optional(),
  dryRun: z.boolean().optional(),
  userInfo: z.looseObject({ username: z.string().optional() }).optional(),
});

export type AdmissionRequest = z.infer<typeof requestSchema>;

export interface AdmissionStatus {
  code: number;
  message: string;
  reason?: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  patchType?: "JSONPatch";
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewOut {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

export type DecodeResult = { ok: true; request: AdmissionRequest } | { ok: false; message: string };

/** Checks the envelope; a wrong kind or apiVersion or a missing request is a client error. */
export function decodeReview(body: unknown): DecodeResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "body must be a JSON object (an AdmissionReview)" };
  }
  const record = body as Record<string, unknown>;
  if (record.kind !== ADMISSION_KIND || record.apiVersion !== ADMISSION_API_VERSION) {
    const got = `${String(record.apiVersion)}/${String(record.kind)}`;
    return { ok: false, message: `expected ${ADMISSION_API_VERSION} ${ADMISSION_KIND}, got ${got}` };
  }
  const parsed = requestSchema.safeParse(record.request);
  if (!parsed.success) {
    const detail = describeIssues(parsed.error, { root: "request" });
    return { ok: false, message: `malformed AdmissionReview: ${detail}` };
  }
  return { ok: true, request: parsed.data };
}

export function reviewResponse(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response };
}
