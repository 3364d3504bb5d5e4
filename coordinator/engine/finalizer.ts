// Beyond Argo: a finalizer keeps a deleted running workflow around until its exit handler
// has run (argo-workflows#9855), unless the user opted out with an annotation.
import type { Workflow } from "./workflow.ts";
import { FINALIZER } from "../../common/names.ts";
import { optedOutOfHandlerOnDelete } from "./kill.ts";
import type { Action } from "./types.ts";

export function hasFinalizer(wf: Workflow): boolean {
  return wf.metadata.finalizers?.includes(FINALIZER) ?? false;
}

export function deleting(wf: Workflow): boolean {
  return wf.metadata.deletionTimestamp !== undefined && wf.metadata.deletionTimestamp !== null;
}

/** Added while the workflow runs (first, before any pod is created). */
export function addFinalizerActions(wf: Workflow): Action[] {
  if (hasFinalizer(wf) || deleting(wf) || optedOutOfHandlerOnDelete(wf)) return [];
  return [{ kind: "addFinalizer" }];
}

/** Removed once the workflow is done (its handler included), or at once when the user opted out. */
export function removeFinalizerActions(wf: Workflow, done: boolean): Action[] {
  if (!hasFinalizer(wf)) return [];
  return done || optedOutOfHandlerOnDelete(wf) ? [{ kind: "removeFinalizer" }] : [];
}
