// Whose an object is. Names are deterministic, so anyone allowed to create pods or ConfigMaps in a
// namespace can create one under a name a workflow will use; an object counts as the workflow's
// only when its controller ownerReference (controller: true) carries the workflow's uid, which
// only exists once the workflow does. Anything else under the name is foreign and never used.
import type { V1ObjectMeta, V1OwnerReference, V1Pod } from "@kubernetes/client-node";
import type { Workflow, ForeignObject } from "./engine/index.ts";

interface KubeObject {
  metadata?: V1ObjectMeta;
}

function controllerOf(object: KubeObject): V1OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

/**
 * blockOwnerDeletion is required too: with the OwnerReferencesPermissionEnforcement admission
 * plugin, only someone allowed to update the workflow's finalizers can set it, so a user who
 * merely read the workflow's uid cannot forge the reference (docs/SECURITY.md).
 */
export function isControlledBy(object: KubeObject, workflow: Workflow): boolean {
  const uid = workflow.metadata.uid;
  const controller = controllerOf(object);
  return uid !== undefined && uid !== "" && controller?.uid === uid && controller.blockOwnerDeletion === true;
}

/** The engine's description of an object that is not the workflow's, naming who controls it. */
export function foreignObject(kind: ForeignObject["kind"], object: KubeObject): ForeignObject {
  const foreign: ForeignObject = { kind, name: object.metadata?.name ?? "" };
  const controller = controllerOf(object);
  if (controller !== undefined)
    foreign.controller = `${controller.kind} ${controller.name}, uid ${controller.uid}`;
  return foreign;
}

/**
 * The workflow's pods, and the others carrying its label: a deleted namesake's (another uid) or
 * anyone's (no controller). Only the first are the engine's pods; the others are facts it must know,
 * since they hold names its steps would use.
 */
export function partitionPods(
  workflow: Workflow,
  pods: V1Pod[],
): { owned: V1Pod[]; foreign: ForeignObject[] } {
  const owned: V1Pod[] = [];
  const foreign: ForeignObject[] = [];
  for (const pod of pods) {
    if (isControlledBy(pod, workflow)) owned.push(pod);
    else foreign.push(foreignObject("Pod", pod));
  }
  return { owned, foreign };
}
