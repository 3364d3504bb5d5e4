// A finished pod's output artifacts as Argo records them in the node (`name`, `path`,
// `s3.key`, the archive when it is not the default; `main-logs` for the archived log), from
// what the sidecar reported uploading; and why the step fails when one it had to upload is not.
import { MAIN_LOGS_ARTIFACT } from "../../../common/artifact-plan.ts";
import type { Artifact, Template } from "../workflow.ts";
import { isArchiveNone } from "./artifact-plan.ts";
import type { PodResult } from "./pod-observe.ts";

export interface RecordedArtifacts {
  artifacts: Artifact[];
  /** The step's error: the sidecar's reason, or a required output it did not upload. */
  missing: string | undefined;
}

/** Only a report tells what was uploaded; without one nothing is recorded (the step's message
 * already says why: the sidecar gave up, or the pod failed). */
export function recordedArtifacts(template: Template, result: PodResult): RecordedArtifacts {
  const report = result.report;
  if (report === undefined) return { artifacts: [], missing: undefined };
  const keys = new Map((report.artifacts ?? []).map((a) => [a.name, a.key]));
  const artifacts: Artifact[] = [];
  let missing = report.artifactError;
  for (const declared of template.outputs?.artifacts ?? []) {
    const key = keys.get(declared.name);
    if (key === undefined) {
      if (declared.optional !== true) missing ??= `output artifact ${declared.name}: not uploaded`;
      continue;
    }
    const archive = isArchiveNone(declared) ? { archive: { none: {} } } : {};
    // Its own GC strategy goes with it, as Argo records it (artifacts/gc.ts reads it there).
    const gc = declared["artifactGC"] === undefined ? {} : { artifactGC: declared["artifactGC"] };
    artifacts.push({ name: declared.name, path: declared.path, ...archive, s3: { key }, ...gc });
  }
  const logs = keys.get(MAIN_LOGS_ARTIFACT);
  if (logs !== undefined) artifacts.push({ name: MAIN_LOGS_ARTIFACT, s3: { key: logs } });
  return { artifacts, missing };
}
