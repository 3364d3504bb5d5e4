// The report's size limits, apart from its zod schema (common/report.ts) so the sidecar can
// respect them without loading zod, which would cost it ~18 MiB of its memory budget.

/** Bounded so a report always fits in a pod annotation (the API server caps all annotations at 256 KiB). */
export const MAX_LOG_TAIL_BYTES = 16 * 1024;
export const MAX_OUTPUT_VALUE_BYTES = 16 * 1024;
export const MAX_OUTPUTS = 32;
/** In characters (string length), like the schema's `.max()`. */
export const MAX_OUTPUT_NAME_LENGTH = 253;
export const MAX_REASON_LENGTH = 256;
export const MAX_MESSAGE_LENGTH = 4096;
/** Output artifacts plus `main-logs`; S3 keys are at most 1024 bytes. */
export const MAX_ARTIFACTS = 65;
export const MAX_ARTIFACT_KEY_LENGTH = 1024;
