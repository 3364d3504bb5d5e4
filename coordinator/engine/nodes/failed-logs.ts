// Beyond Argo: the exit handler asks for the failed steps' whole archived logs in one line,
//   inputs: {artifacts: [{name: logs, path: /logs, from: "{{onexit.failedLogs}}"}]}
// and finds `/logs/<pod>.log` for each failed step whose log was archived (`archiveLogs`), the
// same file names as the log tails in {{onexit.logDir}}. The variable holds this reference as
// JSON; artifact-inputs.ts turns it into an `s3-files` input.
import type { V1Pod } from "@kubernetes/client-node";
import { MAIN_LOGS_ARTIFACT } from "../../../common/artifact-plan.ts";
import type { NodeStatus } from "../workflow.ts";
import { failedPodNodes } from "../log-tails.ts";

export const FAILED_LOGS_VARIABLE = "onexit.failedLogs";

export interface FailedLogsReference {
  onexitFailedLogs: { name: string; key: string }[];
}

/** The failed pod nodes' archived logs, in the order the log tails list them. */
export function failedLogsReference(
  workflowName: string,
  nodes: Readonly<Record<string, NodeStatus>>,
  pods: ReadonlyMap<string, V1Pod>,
): string {
  const files = failedPodNodes(workflowName, nodes, pods).flatMap(({ node, pod }) => {
    const key = node.outputs?.artifacts?.find((a) => a.name === MAIN_LOGS_ARTIFACT)?.s3?.key;
    return key === undefined ? [] : [{ name: `${pod}.log`, key }];
  });
  const reference: FailedLogsReference = { onexitFailedLogs: files };
  return JSON.stringify(reference);
}
