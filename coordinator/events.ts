// core/v1 Events about a Workflow, shaped so `kubectl describe workflow` and `kubectl get events`
// show them (involvedObject = the Workflow, source/reportingComponent onexit-coordinator).
import type { CoreV1Event } from "@kubernetes/client-node";
import type { Workflow } from "./engine/index.ts";

const REPORTING_COMPONENT = "onexit-coordinator";

export interface EventInput {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** Builds the Event; its name is `<workflow>.<hex time>` as client-go's recorder makes it. */
export function buildEvent(workflow: Workflow, input: EventInput, identity: string, now: Date): CoreV1Event {
  const name = workflow.metadata.name ?? "";
  const unique = (
    BigInt(now.getTime()) * 1_000_000n +
    BigInt(Math.floor(Math.random() * 1_000_000))
  ).toString(16);
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${name}.${unique}`, namespace: workflow.metadata.namespace ?? "" },
    involvedObject: {
      apiVersion: workflow.apiVersion,
      kind: "Workflow",
      name,
      namespace: workflow.metadata.namespace ?? "",
      uid: workflow.metadata.uid ?? "",
      resourceVersion: workflow.metadata.resourceVersion ?? "",
    },
    type: input.type,
    reason: input.reason.slice(0, 128),
    message: input.message.slice(0, 1024),
    source: { component: REPORTING_COMPONENT },
    reportingComponent: REPORTING_COMPONENT,
    reportingInstance: identity.slice(0, 128),
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}
