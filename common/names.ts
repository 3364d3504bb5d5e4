// Names, labels and annotations exactly as Argo makes them, so Argo's tools and users'
// selectors keep working against onexit.

export const GROUP = "argoproj.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const WORKFLOW_PLURAL = "workflows";

export const LABEL_WORKFLOW = "workflows.argoproj.io/workflow";
export const LABEL_COMPLETED = "workflows.argoproj.io/completed";
export const LABEL_ON_EXIT = "workflows.argoproj.io/on-exit";
export const ANNOTATION_NODE_NAME = "workflows.argoproj.io/node-name";
export const ANNOTATION_NODE_ID = "workflows.argoproj.io/node-id";
export const ANNOTATION_DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

/** Set by the webhook on every pod it injected; its value lists what was added. */
export const ANNOTATION_INJECTED = "onexit.dev/injected";
/** The sidecar's report, stored on the reporting pod so it survives a coordinator crash. */
export const ANNOTATION_REPORT = "onexit.dev/report";
/** JSON [{name, path}]: a step's output parameter files, paths relative to the OUTPUTS_VOLUME. */
export const ANNOTATION_OUTPUTS = "onexit.dev/outputs";
/** The emptyDir the engine adds for output parameters; the webhook mounts it in `wait`. */
export const OUTPUTS_VOLUME = "onexit-outputs";
/** The init container the webhook adds to create the output files `main` mounts (common/output-placeholder.ts). */
export const OUTPUTS_INIT_CONTAINER = "onexit-init";
/** Opt-out of running the exit handler when a running workflow is deleted. */
export const ANNOTATION_SKIP_HANDLER_ON_DELETE = "onexit.dev/skip-exit-handler-on-delete";
export const FINALIZER = "onexit.dev/exit-handler";

export const MAIN_CONTAINER = "main";
export const WAIT_CONTAINER = "wait";
/** The projected token's audience: the coordinator accepts only tokens minted for it. */
export const REPORT_AUDIENCE = "onexit-coordinator";
/** Where a sidecar POSTs its report on the coordinator (docs/CONTRACTS.md "Reports"). */
export const REPORT_PATH = "/v1/reports";
/** The coordinator's read-only API proxy for a sidecar's own pod: the sidecar's API server
 * is the coordinator URL plus this prefix, and the paths below it are the API server's. */
export const POD_PROXY_PREFIX = "/v1/kube";

// Paths inside a workflow pod (docs/CONTRACTS.md): mounted by one program, read by another.
/** The projected token (audience REPORT_AUDIENCE) the webhook mounts in `wait`. */
export const TOKEN_MOUNT_PATH = "/var/run/onexit/token";
export const TOKEN_FILE = `${TOKEN_MOUNT_PATH}/token`;
/** Where `wait` and the `onexit-init` container see the OUTPUTS_VOLUME. */
export const OUTPUTS_MOUNT_PATH = "/onexit/outputs";
/** Where the exit handler's pods find the failed steps' log tails (`{{onexit.logDir}}`). */
export const LOG_TAILS_DIR = "/onexit/logs";
/** The component argument (bin/onexit.ts) that runs the wait sidecar. */
export const SIDECAR_COMMAND = "sidecar";

const MAX_NAME_LENGTH = 253;
const HASH_LENGTH = 10;

/** 32-bit FNV-1a, the hash Argo uses for node IDs and pod names. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Node IDs are deterministic so a restarted coordinator finds the same nodes. */
export function nodeId(workflowName: string, nodeName: string): string {
  return nodeName === workflowName ? workflowName : `${workflowName}-${fnv32a(nodeName)}`;
}

/** Argo's v2 pod names: the workflow's own name for the root node, else `<wf>-<template>-<hash>`. */
export function podName(workflowName: string, nodeName: string, templateName: string): string {
  if (nodeName === workflowName) return workflowName;
  let prefix = `${workflowName}-${templateName}`;
  const maxPrefix = MAX_NAME_LENGTH - HASH_LENGTH - 1;
  if (prefix.length > maxPrefix) prefix = prefix.slice(0, maxPrefix);
  return `${prefix}-${fnv32a(nodeName)}`;
}

export function exitHandlerNodeName(parentNodeName: string): string {
  return `${parentNodeName}.onExit`;
}

/** ConfigMap holding the failed steps' log tails, mounted into the exit-handler pod. */
export function logTailsConfigMapName(workflowName: string): string {
  return `${workflowName}-onexit-logs`;
}
