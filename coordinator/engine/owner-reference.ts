// The one ownerReference onexit puts on what it creates for a workflow (pods, the log-tails
// ConfigMap, artifact GC pods): the workflow as controller, so foreign.ts can tell ours from a
// look-alike, and the garbage collector removes them with it.
import type { V1OwnerReference } from "@kubernetes/client-node";
import { API_VERSION } from "../../common/names.ts";
import type { Workflow } from "./workflow.ts";

export function workflowOwnerReference(wf: Workflow): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: "Workflow",
    name: wf.metadata.name ?? "",
    uid: wf.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}
