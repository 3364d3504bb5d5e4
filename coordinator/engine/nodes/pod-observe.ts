// What a step's pod says about the step: the sidecar's report when there is one, else the
// pod's own status (the `main` container's terminated state, then the pod phase).
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { ARTIFACT_PLAN_ANNOTATION } from "../../../common/artifact-plan.ts";
import {
  ANNOTATION_OUTPUTS,
  ANNOTATION_REPORT,
  MAIN_CONTAINER,
  OUTPUTS_INIT_CONTAINER,
  WAIT_CONTAINER,
} from "../../../common/names.ts";
import { reportFromAnnotation } from "../../../common/report.ts";
import type { Report } from "../../../common/report.ts";
import { BoundedMemo } from "../memo.ts";

export interface PodResult {
  state: "done";
  phase: "Succeeded" | "Failed" | "Error";
  message: string | undefined;
  exitCode: number | undefined;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  /** Output parameter values by name (only from a report). */
  outputs: Readonly<Record<string, string>> | undefined;
  /** main's whole log, when it fit in the report's tail. */
  result: string | undefined;
  logBytes: number | undefined;
  report: Report | undefined;
  /** Why the `wait` sidecar gave up (its termination message), when it did and no report came. */
  sidecarFailure: string | undefined;
  /** Decided from main before the report came (earlySuccess): what the report adds comes later. */
  reportAwaited?: true;
}

export type PodObservation =
  | { state: "pending"; hostNodeName: string | undefined }
  | { state: "running"; hostNodeName: string | undefined }
  | PodResult;

export function isoOf(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" && value !== "") return value;
  return undefined;
}

export function exitMessage(exitCode: number): string | undefined {
  return exitCode === 0 ? undefined : `Error (exit code ${exitCode})`;
}

/** Reports parsed, by annotation text: a pod's report is read at every pass until its node is recorded. */
const parsedReports = new BoundedMemo<Report | undefined>(1024);

/** The report stored on the pod (parsed once per annotation text; treat it as read-only). */
export function reportOf(pod: V1Pod): Report | undefined {
  const text = pod.metadata?.annotations?.[ANNOTATION_REPORT];
  return text === undefined ? undefined : parsedReports.get(text, () => reportFromAnnotation(text));
}

function fromReport(report: Report): PodResult {
  const outputs: Record<string, string> = {};
  for (const output of report.outputs) outputs[output.name] = output.value;
  const whole = report.logBytes <= Buffer.byteLength(report.logTail);
  return {
    state: "done",
    phase: report.exitCode === 0 ? "Succeeded" : "Failed",
    message: exitMessage(report.exitCode),
    exitCode: report.exitCode,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    outputs,
    result: whole ? report.logTail.replace(/\n$/, "") : undefined,
    logBytes: report.logBytes,
    report,
    sidecarFailure: undefined,
  };
}

function containerStatus(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((status) => status.name === name);
}

/**
 * The sidecar reports right after main exits and only then ends: while it still runs in a
 * live pod, its report (outputs, log tail) is on its way and main's exit code alone would
 * lose them.
 */
function reportPending(pod: V1Pod): boolean {
  const wait = containerStatus(pod, WAIT_CONTAINER);
  const live = pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
  return live && wait !== undefined && wait.state?.terminated === undefined;
}

function bare(phase: PodResult["phase"], message: string | undefined): PodResult {
  return {
    state: "done",
    phase,
    message,
    exitCode: undefined,
    startedAt: undefined,
    finishedAt: undefined,
    outputs: undefined,
    result: undefined,
    logBytes: undefined,
    report: undefined,
    sidecarFailure: undefined,
  };
}

/**
 * The reason a sidecar that gave up left in its termination message (sidecar/main.ts exits 1
 * with one). A sidecar killed from outside leaves no message, and is not named.
 */
export function sidecarFailureOf(pod: V1Pod): string | undefined {
  const terminated = containerStatus(pod, WAIT_CONTAINER)?.state?.terminated;
  const message = terminated?.message?.trim();
  if (terminated === undefined || terminated.exitCode === 0 || !message) return undefined;
  return message.split("\n")[0]?.slice(0, 512);
}

/** `Error (exit code 1); sidecar: <reason>`, or either part alone. */
export function withSidecarFailure(
  message: string | undefined,
  sidecarFailure: string | undefined,
): string | undefined {
  if (sidecarFailure === undefined) return message;
  const sidecar = `sidecar: ${sidecarFailure}`;
  return message === undefined ? sidecar : `${message}; ${sidecar}`;
}

function fromMainTerminated(
  status: V1ContainerStatus,
  sidecarFailure: string | undefined,
): PodResult | undefined {
  const terminated = status.state?.terminated;
  if (terminated === undefined) return undefined;
  const exitCode = terminated.exitCode;
  return {
    ...bare(
      exitCode === 0 ? "Succeeded" : "Failed",
      withSidecarFailure(exitMessage(exitCode), sidecarFailure),
    ),
    sidecarFailure,
    exitCode,
    startedAt: isoOf(terminated.startedAt),
    finishedAt: isoOf(terminated.finishedAt),
  };
}

/** Why `onexit-init` failed (an input artifact it could not fetch), from its termination message. */
function initFailure(pod: V1Pod): string | undefined {
  const status = pod.status?.initContainerStatuses?.find((s) => s.name === OUTPUTS_INIT_CONTAINER);
  const terminated = status?.state?.terminated;
  const message = terminated?.message?.trim();
  if (terminated === undefined || terminated.exitCode === 0 || !message) return undefined;
  return message.split("\n")[0]?.slice(0, 512);
}

function podFailureMessage(pod: V1Pod): string {
  const init = initFailure(pod);
  if (init !== undefined) return init;
  const reason = pod.status?.reason;
  const message = pod.status?.message;
  if (reason && message) return `${reason}: ${message}`;
  return message || reason || "pod failed without a result from its main container";
}

function fromPodPhase(pod: V1Pod, main: V1ContainerStatus | undefined): PodObservation {
  const hostNodeName = pod.spec?.nodeName;
  switch (pod.status?.phase) {
    case "Failed":
      return bare("Error", podFailureMessage(pod));
    case "Succeeded":
      return bare("Succeeded", undefined);
    case "Running":
      return { state: main?.state?.running !== undefined ? "running" : "pending", hostNodeName };
    default:
      return { state: "pending", hostNodeName };
  }
}

/** Whether the sidecar reads anything in the pod besides main's log: output files, artifacts. */
function declaresOutputs(pod: V1Pod): boolean {
  const annotations = pod.metadata?.annotations ?? {};
  return annotations[ANNOTATION_OUTPUTS] !== undefined || annotations[ARTIFACT_PLAN_ANNOTATION] !== undefined;
}

/**
 * Decides a step from its pod: the report first, then main's terminated state once no report
 * can come any more (naming the sidecar's reason when it gave up), then the pod phase.
 * `early` (the workflow never reads a step's `outputs.result`): a step whose main ended 0 and
 * whose pod declares nothing else for the sidecar to read is Succeeded now, its report awaited
 * (`reportAwaited`): the report would change neither its phase nor anything later steps or the
 * exit handler read, and waiting for it was most of the exit handler's start under load.
 */
export function observePod(pod: V1Pod, early = false): PodObservation {
  const report = reportOf(pod);
  if (report !== undefined) return fromReport(report);
  const main = containerStatus(pod, MAIN_CONTAINER);
  const terminated = main === undefined ? undefined : fromMainTerminated(main, sidecarFailureOf(pod));
  if (terminated === undefined) return fromPodPhase(pod, main);
  if (!reportPending(pod)) return terminated;
  if (early && terminated.exitCode === 0 && !declaresOutputs(pod))
    return { ...terminated, reportAwaited: true };
  return { state: "running", hostNodeName: pod.spec?.nodeName };
}
