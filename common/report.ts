// The one contract between the sidecar and the coordinator: parsed and validated here,
// and nowhere else.
import { z } from "zod";
import { describeIssues } from "./issues.ts";
import {
  MAX_ARTIFACT_KEY_LENGTH,
  MAX_ARTIFACTS,
  MAX_LOG_TAIL_BYTES,
  MAX_MESSAGE_LENGTH,
  MAX_OUTPUT_NAME_LENGTH,
  MAX_OUTPUT_VALUE_BYTES,
  MAX_OUTPUTS,
  MAX_REASON_LENGTH,
} from "./report-limits.ts";

export * from "./report-limits.ts";

const rfc3339 = z.iso.datetime({ offset: true });

const reportSchema = z
  .object({
    podName: z.string().min(1).max(253),
    podUid: z.string().min(1).max(64),
    namespace: z.string().min(1).max(63),
    exitCode: z.number().int().min(0).max(255),
    reason: z.string().max(MAX_REASON_LENGTH),
    message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
    startedAt: rfc3339,
    finishedAt: rfc3339,
    logBytes: z.number().int().min(0),
    logLines: z.number().int().min(0),
    logTail: z.string().refine((s) => Buffer.byteLength(s) <= MAX_LOG_TAIL_BYTES, {
      message: `must be at most ${MAX_LOG_TAIL_BYTES} bytes`,
    }),
    outputs: z
      .array(
        z.object({
          name: z.string().min(1).max(MAX_OUTPUT_NAME_LENGTH),
          value: z.string().refine((s) => Buffer.byteLength(s) <= MAX_OUTPUT_VALUE_BYTES, {
            message: `must be at most ${MAX_OUTPUT_VALUE_BYTES} bytes`,
          }),
        }),
      )
      .max(MAX_OUTPUTS)
      .default([]),
    /** The artifacts the sidecar uploaded (outputs by their plan name, `main-logs`), by key. */
    artifacts: z
      .array(
        z.object({
          name: z.string().min(1).max(MAX_OUTPUT_NAME_LENGTH),
          key: z.string().min(1).max(MAX_ARTIFACT_KEY_LENGTH),
        }),
      )
      .max(MAX_ARTIFACTS)
      .optional(),
    /** Why an artifact the plan asked for was not uploaded (the step then ends in Error). */
    artifactError: z.string().max(MAX_MESSAGE_LENGTH).optional(),
  })
  .strict();

export type Report = z.infer<typeof reportSchema>;

export type ParseResult = { ok: true; report: Report } | { ok: false; error: string };

/** Turns untrusted input into a Report, or an error that names every bad field. */
export function parseReport(input: unknown): ParseResult {
  const result = reportSchema.safeParse(input);
  if (result.success) return { ok: true, report: result.data };
  return { ok: false, error: describeIssues(result.error, { whenEmpty: "report" }) };
}

/** Reads a report back from the pod annotation it was stored in; a corrupt one counts as absent. */
export function reportFromAnnotation(value: string | undefined): Report | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = parseReport(JSON.parse(value));
    return parsed.ok ? parsed.report : undefined;
  } catch {
    return undefined;
  }
}
