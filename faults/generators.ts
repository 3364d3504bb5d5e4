// Bad input for the fault suite, generated with fast-check: each arbitrary yields only inputs
// that must be refused (generators.test.ts checks that against the real parsers, offline).
import fc from "fast-check";
import { ADMISSION_API_VERSION, ADMISSION_KIND } from "../webhook/admission.ts";
import { LABEL_WORKFLOW } from "../common/names.ts";

export interface PodRef {
  namespace: string;
  podName: string;
  podUid: string;
}

/** A well-formed report about `pod` (accepted by the schema). */
export function validReport(pod: PodRef, exitCode = 0): Record<string, unknown> {
  return {
    ...pod,
    exitCode,
    reason: exitCode === 0 ? "Completed" : "Error",
    startedAt: "2026-12-05T10:00:00Z",
    finishedAt: "2026-12-05T10:00:01Z",
    logBytes: 0,
    logLines: 0,
    logTail: "",
    outputs: [],
  };
}

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);
const notAnInteger = fc.oneof(
  fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
  fc.string(),
  fc.constant(null),
);
const notATime = fc.oneof(
  fc.string().map((s) => `x${s}`),
  fc.integer(),
  fc.constant("2026-13-45T99:99:99Z"),
);

/** One field broken in a way the report schema must refuse; the field's name comes with it. */
const brokenField: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant("podName"), fc.oneof(fc.constant(""), fc.constant("p".repeat(254)), notAString)),
  fc.tuple(fc.constant("podUid"), fc.oneof(fc.constant(""), fc.constant("u".repeat(65)), notAString)),
  fc.tuple(fc.constant("namespace"), fc.oneof(fc.constant(""), fc.constant("n".repeat(64)), notAString)),
  fc.tuple(
    fc.constant("exitCode"),
    fc.oneof(notAnInteger, fc.integer({ max: -1 }), fc.integer({ min: 256 })),
  ),
  fc.tuple(fc.constant("reason"), fc.oneof(fc.constant("r".repeat(257)), notAString)),
  fc.tuple(fc.constant("startedAt"), notATime),
  fc.tuple(fc.constant("finishedAt"), notATime),
  fc.tuple(fc.constant("logBytes"), fc.oneof(notAnInteger, fc.integer({ max: -1 }))),
  fc.tuple(fc.constant("logLines"), fc.oneof(notAnInteger, fc.integer({ max: -1 }))),
  fc.tuple(fc.constant("logTail"), fc.oneof(fc.constant("t".repeat(16 * 1024 + 1)), notAString)),
  fc.tuple(
    fc.constant("outputs"),
    fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer(), { minLength: 1 })),
  ),
);

const reportField = fc.constantFrom(
  "podName",
  "podUid",
  "namespace",
  "exitCode",
  "reason",
  "startedAt",
  "finishedAt",
  "logBytes",
  "logLines",
  "logTail",
);

/** A report about `pod` that the schema refuses: a broken field, a missing one, or an unknown one. */
export function brokenReport(pod: PodRef): fc.Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    brokenField.map(([field, value]) => ({ ...validReport(pod), [field]: value })),
    reportField.map((field) => {
      const report = validReport(pod);
      delete report[field];
      return report;
    }),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((k) => !(k in validReport(pod)) && k !== "message" && k !== "__proto__")
      .map((key) => ({ ...validReport(pod), [key]: 1 })),
  );
}

/** Any JSON that is not an object: the report endpoint and the webhook want an object. */
export const notAnObject = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 5 }),
);

/** Bytes sent as application/json that are not JSON at all. */
export const notJson = fc.string({ minLength: 1 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});

/** A well-formed AdmissionReview request for a workflow pod's CREATE. */
export function podCreateRequest(uid: string, object: unknown): Record<string, unknown> {
  return {
    uid,
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    namespace: "default",
    operation: "CREATE",
    object,
  };
}

const workflowPod = (spec: unknown): Record<string, unknown> => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", labels: { [LABEL_WORKFLOW]: "wf" } },
  spec,
});

/** A workflow pod the webhook cannot decode: it must answer allowed=false with a message. */
export const brokenPod = fc.oneof(
  notAnObject,
  fc.oneof(notAnObject, fc.constant([])).map((containers) => workflowPod({ containers })),
  fc.constant(workflowPod({})),
  fc.constant(workflowPod({ containers: [{ image: "x" }] })),
  fc.oneof(fc.integer(), fc.array(fc.integer(), { minLength: 1 })).map((labels) => ({
    ...workflowPod({ containers: [{ name: "main" }] }),
    metadata: { labels },
  })),
);

export type BadReview =
  { kind: "envelope"; body: unknown } | { kind: "pod"; uid: string; body: Record<string, unknown> };

/** AdmissionReviews that are malformed (HTTP 400) or carry an undecodable pod (a denial). */
export const badReview: fc.Arbitrary<BadReview> = fc.oneof(
  notAnObject.map((body) => ({ kind: "envelope" as const, body })),
  fc
    .record({ apiVersion: fc.string(), kind: fc.string() })
    .filter((e) => e.apiVersion !== ADMISSION_API_VERSION || e.kind !== ADMISSION_KIND)
    .map((e) => ({
      kind: "envelope" as const,
      body: { ...e, request: podCreateRequest("u", workflowPod({})) },
    })),
  fc
    .oneof(
      fc.constant<Record<string, unknown>>({}),
      notAString.map((uid) => ({ uid })),
      fc.constant({ uid: "" }),
      notAString.map((operation) => ({ operation })),
      fc.oneof(notAString, fc.constant({})).map((kind) => ({ kind })),
    )
    .map((broken) => ({
      kind: "envelope" as const,
      body: {
        apiVersion: ADMISSION_API_VERSION,
        kind: ADMISSION_KIND,
        request: Object.keys(broken).length === 0 ? undefined : { ...podCreateRequest("u", {}), ...broken },
      },
    })),
  fc.tuple(fc.uuid(), brokenPod).map(([uid, object]) => ({
    kind: "pod" as const,
    uid,
    body: { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, request: podCreateRequest(uid, object) },
  })),
);

/** A runnable workflow spec (the fault suite's two templates), to break one part of. */
function baseWorkflow(): Record<string, unknown> {
  return {
    entrypoint: "main",
    onExit: "handler",
    templates: [
      { name: "main", container: { image: "alpine:3", command: ["true"] } },
      { name: "handler", container: { image: "alpine:3", command: ["true"] } },
    ],
  };
}

export interface BrokenWorkflow {
  spec: unknown;
  /** A word the refusal (API error or the workflow's Error message) must name. */
  field: string;
}

const missingName = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== "main" && s !== "handler");

/** Workflow specs that must be refused by the CRD schema or end in Error naming the field. */
export const brokenWorkflow: fc.Arbitrary<BrokenWorkflow> = fc.oneof(
  notAnObject.map((spec) => ({ spec, field: "spec" })),
  fc.oneof(fc.string(), fc.integer(), fc.constant({})).map((templates) => ({
    spec: { ...baseWorkflow(), templates },
    field: "templates",
  })),
  missingName.map((entrypoint) => ({ spec: { ...baseWorkflow(), entrypoint }, field: "entrypoint" })),
  fc.constant({ spec: { ...baseWorkflow(), entrypoint: "" }, field: "entrypoint" }),
  missingName.map((onExit) => ({ spec: { ...baseWorkflow(), onExit }, field: "onExit" })),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((s) => s !== "Stop" && s !== "Terminate")
    .map((shutdown) => ({
      spec: { ...baseWorkflow(), shutdown },
      field: "shutdown",
    })),
  fc
    .constantFrom<Record<string, unknown>>(
      { name: "main" },
      { name: "main", container: { command: ["true"] } },
      { name: "main", container: { image: "alpine:3" }, script: { image: "alpine:3", source: "true" } },
    )
    .map((main) => ({
      spec: { ...baseWorkflow(), templates: [main, { name: "handler", container: { image: "alpine:3" } }] },
      field: "main",
    })),
  fc.constant({
    spec: {
      ...baseWorkflow(),
      templates: [
        { name: "main", container: { image: "alpine:3" } },
        { name: "main", container: { image: "alpine:3" } },
      ],
    },
    field: "main",
  }),
  missingName.map((template) => ({
    spec: {
      ...baseWorkflow(),
      templates: [
        { name: "main", steps: [[{ name: "a", template }]] },
        { name: "handler", container: { image: "alpine:3" } },
      ],
    },
    field: "steps",
  })),
);
