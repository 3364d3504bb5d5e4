// The artifact GC pod's contract (coordinator → pod): what to delete, and from which store. The
// coordinator creates the pod in the workflow's namespace, from onexit's image, with the store's
// credentials read from the Secret there (env valueFrom.secretKeyRef, named by
// credentialEnvName), so the coordinator itself never reads a Secret (Argo deletes through a GC
// pod too). The webhook does not inject it: no step runs in it. Documented in docs/CONTRACTS.md.
import type { S3Repository } from "./artifact-plan.ts";

/** onexit's entrypoint argument that runs the deletion (bin/onexit.ts). */
export const ARTIFACT_GC_COMMAND = "artifact-gc";
/** The env var holding the ArtifactGCJob as JSON. */
export const ARTIFACT_GC_ENV = "ONEXIT_ARTIFACT_GC";
/** Argo's component label; its value marks the GC pod (the webhook skips it). */
export const LABEL_COMPONENT = "workflows.argoproj.io/component";
export const ARTIFACT_GC_COMPONENT = "artifact-gc";
/** Held while an `OnWorkflowDeletion` collection has not run, released whatever it gives. */
export const ARTIFACT_GC_FINALIZER = "onexit.dev/artifact-gc";

export interface ArtifactGCJob {
  /** The store; `keyPrefix` is unused (keys are whole). */
  repository: S3Repository;
  /** Whole object keys; each is deleted, and so is everything under `<key>/` (a directory). */
  keys: string[];
}

/** The job from its env text; an error when it is not one (a coordinator bug: the pod fails saying so). */
export function parseArtifactGCJob(text: string | undefined): { job?: ArtifactGCJob; error?: string } {
  if (text === undefined || text === "") return { error: `${ARTIFACT_GC_ENV} is not set` };
  try {
    const value = JSON.parse(text) as Partial<ArtifactGCJob>;
    const repo = value.repository;
    const keysOk = Array.isArray(value.keys) && value.keys.every((k) => typeof k === "string" && k !== "");
    if (repo === undefined || typeof repo.bucket !== "string" || typeof repo.endpoint !== "string" || !keysOk)
      return { error: `${ARTIFACT_GC_ENV}: not an artifact GC job` };
    return { job: value as ArtifactGCJob };
  } catch {
    return { error: `${ARTIFACT_GC_ENV}: not JSON` };
  }
}
