// The workflows the bench runs: one step and an exit handler, both `sh -c` on the node.

export const WORKFLOWS_PATH = (namespace: string): string =>
  `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows`;

/** One step and an onExit handler; the step runs `script` (default: exit at once). */
export function oneStepWorkflow(name: string, script = "exit 0"): unknown {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name, labels: { "onexit.dev/bench": "true" } },
    spec: {
      entrypoint: "step",
      onExit: "handler",
      templates: [
        { name: "step", container: { image: "alpine:3", command: ["sh", "-c", script] } },
        { name: "handler", container: { image: "alpine:3", command: ["sh", "-c", "exit 0"] } },
      ],
    },
  };
}

/** Writes `megabytes` MB of 100-byte lines to stdout. */
export function logFloodScript(megabytes: number): string {
  const line = "x".repeat(99);
  return `yes ${line} | head -c ${megabytes * 1_000_000}`;
}
