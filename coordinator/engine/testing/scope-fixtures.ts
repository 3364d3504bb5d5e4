// Node and Workflow builders shared by the scope tests.
import type { NodeStatus, Workflow } from "../workflow.ts";
import type { WorkflowFacts } from "../scope.ts";

export function node(overrides: Partial<NodeStatus> & Pick<NodeStatus, "id" | "name">): NodeStatus {
  return {
    displayName: overrides.name,
    type: "Pod",
    templateName: "step",
    phase: "Succeeded",
    ...overrides,
  };
}

export function workflow(
  overrides: Partial<Workflow["spec"]> = {},
  metadata: Partial<Workflow["metadata"]> = {},
): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name: "exit-handler-zx78p",
      namespace: "argo",
      uid: "5f2b-uid",
      creationTimestamp: "2024-03-05T14:07:09Z",
      ...metadata,
    },
    spec: { entrypoint: "step1", onExit: "exit-handler", templates: [], ...overrides },
  };
}

export const NO_FACTS: WorkflowFacts = {
  phase: "Failed",
  startedAt: undefined,
  nodes: {},
  globalOutputs: {},
};
