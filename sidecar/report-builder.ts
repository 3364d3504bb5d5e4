// Pod facts + the log tail + output values → a validated Report. Pure.
import { parseReport, type ParseResult } from "../common/report.ts";
import type { MainTerminated, Timestamp } from "./main-state.ts";

export interface ReportInput {
  pod: { name: string; namespace: string; uid: string };
  main: MainTerminated;
  log: { bytes: number; lines: number; tail: string };
  outputs: { name: string; value: string }[];
  /** Stands in for a missing start or finish time. */
  now: Date;
}

const MAX_REASON = 256;
const MAX_MESSAGE = 4096;

function iso(value: Timestamp | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function defaultReason(exitCode: number): string {
  return exitCode === 0 ? "Completed" : "Error";
}

export function buildReport(input: ReportInput): ParseResult {
  const { main } = input;
  const inRange = Number.isInteger(main.exitCode) && main.exitCode >= 0 && main.exitCode <= 255;
  const exitCode = inRange ? main.exitCode : 255;
  const notes = [main.message ?? "", inRange ? "" : `exit code ${main.exitCode} reported as 255`].filter(
    Boolean,
  );
  const message = notes.join("; ").slice(0, MAX_MESSAGE);
  const finishedAt = iso(main.finishedAt) ?? input.now.toISOString();
  const startedAt = iso(main.startedAt) ?? finishedAt;
  return parseReport({
    podName: input.pod.name,
    podUid: input.pod.uid,
    namespace: input.pod.namespace,
    exitCode,
    reason: (main.reason || defaultReason(exitCode)).slice(0, MAX_REASON),
    ...(message ? { message } : {}),
    startedAt,
    finishedAt,
    logBytes: input.log.bytes,
    logLines: input.log.lines,
    logTail: input.log.tail,
    outputs: input.outputs,
  });
}
