// Builds a step's pod from its (already substituted) template, with the names, labels,
// annotations and volumes Argo and the onexit contracts (docs/CONTRACTS.md) define.
import type { V1Container, V1Pod, V1PodSpec, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import type { Resolved } from "../expr/template.ts";
import type { Template, Workflow } from "../workflow.ts";
import {
  ANNOTATION_DEFAULT_CONTAINER,
  ANNOTATION_NODE_ID,
  ANNOTATION_NODE_NAME,
  ANNOTATION_OUTPUTS,
  LABEL_ON_EXIT,
  LABEL_WORKFLOW,
  MAIN_CONTAINER,
  OUTPUTS_VOLUME,
} from "../../../common/names.ts";
import { LOG_DIR } from "../log-tails.ts";
import { ARTIFACT_PLAN_ANNOTATION, type ArtifactPlan } from "../../../common/artifact-plan.ts";
import { workflowOwnerReference } from "../owner-reference.ts";

export const ANNOTATION_SCRIPT = "onexit.dev/script";
export const SCRIPT_VOLUME = "onexit-script";
export const LOGS_VOLUME = "onexit-logs";
export const SCRIPT_DIR = "/onexit/script";
export const SCRIPT_PATH = `${SCRIPT_DIR}/source`;
/** rwxr-xr-x, as Argo writes the script: `command: [sh, -c]` or a shebang runs the file itself. */
export const SCRIPT_MODE = 0o755;

export interface PodInput {
  wf: Workflow;
  nodeName: string;
  nodeID: string;
  podName: string;
  /** Substituted template (container or script). */
  template: Template;
  serviceAccountName: string | undefined;
  onExit: boolean;
  /** The ConfigMap of failed steps' log tails to mount at LOG_DIR (the workflow's exit handler). */
  logTails: string | undefined;
  /** Written as the ARTIFACT_PLAN_ANNOTATION; the webhook adds what it needs (docs/CONTRACTS.md). */
  artifactPlan?: ArtifactPlan;
}

interface OutputsLayout {
  mounts: V1VolumeMount[];
  files: { name: string; path: string }[];
}

/** Absolute, and nothing a mount path could read two ways: no empty, `.` or `..` segment. */
function isPlainFilePath(path: string): boolean {
  if (!path.startsWith("/")) return false;
  return path
    .slice(1)
    .split("/")
    .every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/**
 * One file of the outputs emptyDir (subPath `p<N>`) mounted onto each distinct output path,
 * never onto its directory, so the image's files beside it stay visible. The webhook's
 * `onexit-init` container creates those files first (common/output-placeholder.ts).
 */
export function outputsLayout(template: Template): Resolved<OutputsLayout> {
  const subPaths = new Map<string, string>();
  const layout: OutputsLayout = { mounts: [], files: [] };
  for (const param of template.outputs?.parameters ?? []) {
    const path = param.valueFrom?.path;
    if (path === undefined) continue;
    if (!isPlainFilePath(path)) {
      return {
        ok: false,
        error: `outputs.parameters.${param.name}.valueFrom.path "${path}" must be an absolute path to a file`,
      };
    }
    let sub = subPaths.get(path);
    if (sub === undefined) {
      sub = `p${subPaths.size}`;
      subPaths.set(path, sub);
      layout.mounts.push({ name: OUTPUTS_VOLUME, mountPath: path, subPath: sub });
    }
    layout.files.push({ name: param.name, path: sub });
  }
  return { ok: true, value: layout };
}

function mainContainer(template: Template): V1Container {
  if (template.script !== undefined) {
    const { source: _source, ...rest } = template.script;
    const command = rest.command ?? ["sh"];
    return { ...(rest as V1Container), name: MAIN_CONTAINER, command: [...command, SCRIPT_PATH] };
  }
  return { ...(template.container as V1Container), name: MAIN_CONTAINER };
}

function withMounts(container: V1Container, mounts: V1VolumeMount[]): V1Container {
  if (mounts.length === 0) return container;
  return { ...container, volumeMounts: [...(container.volumeMounts ?? []), ...mounts] };
}

interface Extras {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
  annotations: Record<string, string>;
}

function extras(input: PodInput, layout: OutputsLayout): Extras {
  const out: Extras = { volumes: [], mounts: [...layout.mounts], annotations: {} };
  if (layout.files.length > 0) {
    out.volumes.push({ name: OUTPUTS_VOLUME, emptyDir: {} });
    out.annotations[ANNOTATION_OUTPUTS] = JSON.stringify(layout.files);
  }
  if (input.template.script !== undefined) {
    out.annotations[ANNOTATION_SCRIPT] = input.template.script.source;
    const fieldPath = `metadata.annotations['${ANNOTATION_SCRIPT}']`;
    out.volumes.push({
      name: SCRIPT_VOLUME,
      downwardAPI: { defaultMode: SCRIPT_MODE, items: [{ path: "source", fieldRef: { fieldPath } }] },
    });
    out.mounts.push({ name: SCRIPT_VOLUME, mountPath: SCRIPT_DIR, readOnly: true });
  }
  if (input.artifactPlan !== undefined)
    out.annotations[ARTIFACT_PLAN_ANNOTATION] = JSON.stringify(input.artifactPlan);
  if (input.logTails !== undefined) {
    out.volumes.push({ name: LOGS_VOLUME, configMap: { name: input.logTails, optional: true } });
    out.mounts.push({ name: LOGS_VOLUME, mountPath: LOG_DIR, readOnly: true });
  }
  return out;
}

function labelsOf(input: PodInput): Record<string, string> {
  const labels: Record<string, string> = {
    ...input.wf.spec.podMetadata?.labels,
    ...input.template.metadata?.labels,
    [LABEL_WORKFLOW]: input.wf.metadata.name ?? "",
  };
  if (input.onExit) labels[LABEL_ON_EXIT] = "true";
  return labels;
}

/**
 * A template's own deadline bounds its pod (the kubelet stops it); the workflow's never does. It is
 * an integer or a string substituted first (`"{{inputs.parameters.timeout}}"`), as Argo's IntOrString.
 */
export function podDeadline(template: Template): Resolved<number | undefined> {
  const raw = template.activeDeadlineSeconds;
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  const text = String(raw).trim();
  if (!/^\d+$/.test(text))
    return { ok: false, error: `activeDeadlineSeconds "${text}" is not a non-negative integer` };
  const seconds = Number(text);
  return { ok: true, value: seconds > 0 ? seconds : undefined };
}

export function buildPod(input: PodInput): Resolved<V1Pod> {
  const layout = outputsLayout(input.template);
  if (!layout.ok) return layout;
  const scheduling = schedulingOf(input.wf, input.template);
  if (!scheduling.ok) return scheduling;
  const more = extras(input, layout.value);
  const wf = input.wf;
  const pod: V1Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: input.podName,
      namespace: wf.metadata.namespace ?? "default",
      labels: labelsOf(input),
      annotations: {
        ...wf.spec.podMetadata?.annotations,
        ...input.template.metadata?.annotations,
        [ANNOTATION_NODE_NAME]: input.nodeName,
        [ANNOTATION_NODE_ID]: input.nodeID,
        [ANNOTATION_DEFAULT_CONTAINER]: MAIN_CONTAINER,
        ...more.annotations,
      },
      ownerReferences: [workflowOwnerReference(wf)],
    },
    spec: {
      restartPolicy: "Never",
      containers: [withMounts(mainContainer(input.template), more.mounts)],
    },
  };
  const volumes = [
    ...((wf.spec.volumes ?? []) as V1Volume[]),
    ...((input.template.volumes ?? []) as V1Volume[]),
    ...more.volumes,
  ];
  pod.spec = { ...pod.spec, ...scheduling.value } as V1PodSpec;
  if (input.serviceAccountName) pod.spec.serviceAccountName = input.serviceAccountName;
  if (volumes.length > 0) pod.spec.volumes = volumes;
  return { ok: true, value: pod };
}

/** Pod-level fields Argo copies from the template, else from the workflow spec. */
const POD_FIELDS = [
  "nodeSelector",
  "tolerations",
  "affinity",
  "securityContext",
  "schedulerName",
  "imagePullSecrets",
  "hostAliases",
  "dnsPolicy",
  "dnsConfig",
  "hostNetwork",
  "automountServiceAccountToken",
] as const;

function schedulingOf(wf: Workflow, template: Template): Resolved<Partial<V1PodSpec>> {
  const out: Record<string, unknown> = {};
  for (const field of POD_FIELDS) {
    const value = template[field] ?? wf.spec[field];
    if (value !== undefined && value !== null) out[field] = value;
  }
  // The one pod field whose workflow-level name is not the template's.
  const priorityClassName = template["priorityClassName"] ?? wf.spec["podPriorityClassName"];
  if (priorityClassName !== undefined && priorityClassName !== null)
    out["priorityClassName"] = priorityClassName;
  const deadline = podDeadline(template);
  if (!deadline.ok) return deadline;
  if (deadline.value !== undefined) out["activeDeadlineSeconds"] = deadline.value;
  return { ok: true, value: out as Partial<V1PodSpec> };
}
