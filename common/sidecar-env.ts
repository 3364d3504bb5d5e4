// The sidecar's environment: the webhook sets it (webhook/inject.ts), the sidecar reads it
// (sidecar/config.ts). Documented in docs/CONTRACTS.md "Sidecar environment".

export const SIDECAR_ENV = {
  podName: "POD_NAME",
  podNamespace: "POD_NAMESPACE",
  podUid: "POD_UID",
  workflow: "ONEXIT_WORKFLOW",
  nodeId: "ONEXIT_NODE_ID",
  coordinatorUrl: "ONEXIT_COORDINATOR_URL",
  coordinatorCa: "ONEXIT_COORDINATOR_CA",
  tokenFile: "ONEXIT_REPORT_TOKEN_FILE",
  deadlineSeconds: "ONEXIT_DEADLINE_SECONDS",
  /** Not set by the webhook: the default, OUTPUTS_MOUNT_PATH, is where it mounts the outputs. */
  outputsDir: "ONEXIT_OUTPUTS_DIR",
  logLevel: "ONEXIT_LOG_LEVEL",
} as const;
