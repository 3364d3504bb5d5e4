// Pod facts + the log tail + output values → a Report within the contract's limits. Pure.
// Valid by construction rather than checked with common/report.ts's zod schema, which
// would cost ~18 MiB of the sidecar's memory budget; the coordinator validates every report.
import {
  MAX_ARTIFACT_KEY_LENGTH,
  MAX_ARTIFACTS,
  MAX_LOG_TAIL_BYTES,
  MAX_MESSAGE_LENGTH,
  MAX_OUTPUT_NAME_LENGTH,
  MAX_OUTPUT_VALUE_BYTES,
  MAX_OUTPUTS,
  MAX_REASON_LENGTH,
} from "../common/report-limits.ts";
import type { Report } from "../common/report.ts";
import { utf8Tail } from "./log-tail.ts";
import type { MainTerminated, Timestamp } from "./main-container.ts";

export interface ReportInput {
  pod: { name: string; namespace: string; uid: string };
  main: MainTerminated;
  log: { bytes: number; lines: number; tail: string };
  outputs: { name: string; value: string }[];
  /** What the sidecar uploaded (sidecar/artifact-upload.ts), and why not all of the plan was. */
  artifacts?: { uploaded: { name: string; key: string }[]; error?: string };
  /** Stands in for a missing start or finish time. */
  now: Date;
}

/** RFC 3339 in UTC, or undefined for what cannot be one (invalid dates, years past 9999). */
function iso(value: Timestamp | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const text = date.toISOString();
  return /^\d{4}-/.test(text) ? text : undefined;
}

function defaultReason(exitCode: number): string {
  return exitCode === 0 ? "Completed" : "Error";
}

function count(n: number): number {
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/** The log tail already fits (log-tail.ts keeps at most MAX_LOG_TAIL_BYTES); cut it if not. */
function boundedTail(tail: string): string {
  return Buffer.byteLength(tail) <= MAX_LOG_TAIL_BYTES
    ? tail
    : utf8Tail(Buffer.from(tail, "utf8"), MAX_LOG_TAIL_BYTES);
}

/** outputs.ts already drops what does not fit, with a warning; this only guarantees it. */
function boundedOutputs(outputs: ReportInput["outputs"]): Report["outputs"] {
  return outputs
    .filter(
      (o) =>
        o.name.length > 0 &&
        o.name.length <= MAX_OUTPUT_NAME_LENGTH &&
        Buffer.byteLength(o.value) <= MAX_OUTPUT_VALUE_BYTES,
    )
    .slice(0, MAX_OUTPUTS)
    .map((o) => ({ name: o.name, value: o.value }));
}

/** Within the limits by construction: the plan has at most MAX_ARTIFACTS entries (the engine's). */
function artifactFields(artifacts: ReportInput["artifacts"]): Pick<Report, "artifacts" | "artifactError"> {
  if (artifacts === undefined) return {};
  const uploaded = artifacts.uploaded
    .filter((a) => a.name.length <= MAX_OUTPUT_NAME_LENGTH && a.key.length <= MAX_ARTIFACT_KEY_LENGTH)
    .slice(0, MAX_ARTIFACTS);
  const error = artifacts.error?.slice(0, MAX_MESSAGE_LENGTH);
  return { artifacts: uploaded, ...(error === undefined ? {} : { artifactError: error }) };
}

export function buildReport(input: ReportInput): Report {
  const { main } = input;
  const inRange = Number.isInteger(main.exitCode) && main.exitCode >= 0 && main.exitCode <= 255;
  const exitCode = inRange ? main.exitCode : 255;
  const notes = [main.message ?? "", inRange ? "" : `exit code ${main.exitCode} reported as 255`].filter(
    Boolean,
  );
  const message = notes.join("; ").slice(0, MAX_MESSAGE_LENGTH);
  const finishedAt = iso(main.finishedAt) ?? input.now.toISOString();
  const startedAt = iso(main.startedAt) ?? finishedAt;
  return {
    podName: input.pod.name,
    podUid: input.pod.uid,
    namespace: input.pod.namespace,
    exitCode,
    reason: (main.reason || defaultReason(exitCode)).slice(0, MAX_REASON_LENGTH),
    ...(message ? { message } : {}),
    startedAt,
    finishedAt,
    logBytes: count(input.log.bytes),
    logLines: count(input.log.lines),
    logTail: boundedTail(input.log.tail),
    outputs: boundedOutputs(input.outputs),
    ...artifactFields(input.artifacts),
  };
}
