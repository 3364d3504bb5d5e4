// The mutation: a pure function pod → pod. Everything the wait sidecar needs is added
// here and nowhere else; the admission envelope and the JSON patch live in review.ts.
import { ARTIFACT_GC_COMPONENT, LABEL_COMPONENT } from "../common/artifact-gc.ts";
import type { V1Container, V1EnvVar, V1Pod, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import {
  ANNOTATION_DEFAULT_CONTAINER,
  ANNOTATION_INJECTED,
  ANNOTATION_NODE_ID,
  LABEL_WORKFLOW,
  MAIN_CONTAINER,
  OUTPUTS_MOUNT_PATH,
  OUTPUTS_VOLUME,
  REPORT_AUDIENCE,
  SIDECAR_COMMAND,
  TOKEN_FILE,
  TOKEN_MOUNT_PATH,
  WAIT_CONTAINER,
} from "../common/names.ts";
import { SIDECAR_ENV } from "../common/sidecar-env.ts";
import type { InjectConfig } from "./inject-config.ts";
import { addOutputPlaceholders } from "./output-placeholders.ts";
import { addArtifacts } from "./artifacts.ts";

const TOKEN_VOLUME = "onexit-token";
const TOKEN_EXPIRATION_SECONDS = 3600;
/** 0644, as kube-api-access uses, so a non-root sidecar can read the token file. */
const READABLE_MODE = 0o644;

/** What the injected annotation records. */
export interface InjectionRecord {
  containers: string[];
  volumes: string[];
  version: string;
}

/** A pod marked as not for injection: already injected, or the coordinator's artifact GC pod
 * (common/artifact-gc.ts), in which no step runs. */
function markedSkip(pod: V1Pod): string | undefined {
  if (pod.metadata?.annotations?.[ANNOTATION_INJECTED] !== undefined) return "already injected";
  const gc = pod.metadata?.labels?.[LABEL_COMPONENT] === ARTIFACT_GC_COMPONENT;
  return gc ? "an artifact GC pod: no step runs in it" : undefined;
}

/** Why a pod must be left as it is, or undefined when it should be injected. */
export function skipReason(pod: V1Pod): string | undefined {
  const marked = markedSkip(pod);
  if (marked !== undefined) return marked;
  const spec = pod.spec;
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  if (containers.some((c) => c.name === WAIT_CONTAINER)) {
    return `the pod already has a container named "${WAIT_CONTAINER}"`;
  }
  const taken = (spec?.volumes ?? []).find((v) => v.name === TOKEN_VOLUME);
  return taken === undefined ? undefined : `the pod already has a volume named "${taken.name}"`;
}

/** Adds the wait sidecar, its volumes and annotations. A pod that must be skipped comes back as a plain copy. */
export function injectPod(pod: V1Pod, config: InjectConfig): V1Pod {
  const out = structuredClone(pod);
  if (skipReason(pod) !== undefined) return out;
  const spec = out.spec;
  if (spec === undefined) return out;
  const hasOutputs = (spec.volumes ?? []).some((v) => v.name === OUTPUTS_VOLUME);
  // The token is the sidecar's only credential: reports and its pod's reads both go through
  // the coordinator (coordinator/pod-proxy.ts), so no API server credentials are mounted.
  const volumes = [tokenVolume()];
  spec.volumes = [...(spec.volumes ?? []), ...volumes];
  spec.containers = [...spec.containers, waitContainer(config, hasOutputs)];
  // Artifacts first: their `onexit-init` creates the output parameter files too.
  const artifacts = addArtifacts(out, config);
  const initContainers = [...artifacts.containers, ...addOutputPlaceholders(out, config)];

  const metadata = (out.metadata ??= {});
  const annotations = (metadata.annotations ??= {});
  const hasMain = spec.containers.some((c) => c.name === MAIN_CONTAINER);
  if (hasMain && annotations[ANNOTATION_DEFAULT_CONTAINER] === undefined) {
    annotations[ANNOTATION_DEFAULT_CONTAINER] = MAIN_CONTAINER;
  }
  const record: InjectionRecord = {
    containers: [...initContainers, WAIT_CONTAINER],
    volumes: [...volumes.map((v) => v.name), ...artifacts.volumes],
    version: config.version,
  };
  annotations[ANNOTATION_INJECTED] = JSON.stringify(record);
  return out;
}

function waitContainer(config: InjectConfig, hasOutputs: boolean): V1Container {
  const mounts: V1VolumeMount[] = [{ name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT_PATH, readOnly: true }];
  if (hasOutputs) mounts.push({ name: OUTPUTS_VOLUME, mountPath: OUTPUTS_MOUNT_PATH, readOnly: true });
  return {
    name: WAIT_CONTAINER,
    image: config.image,
    args: [SIDECAR_COMMAND],
    env: sidecarEnv(config),
    resources: structuredClone(config.resources),
    securityContext: structuredClone(config.securityContext),
    volumeMounts: mounts,
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

function fieldEnv(name: string, fieldPath: string): V1EnvVar {
  return { name, valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } };
}

/** The sidecar's whole configuration (docs/CONTRACTS.md "Sidecar environment"). */
function sidecarEnv(config: InjectConfig): V1EnvVar[] {
  return [
    fieldEnv(SIDECAR_ENV.podName, "metadata.name"),
    fieldEnv(SIDECAR_ENV.podNamespace, "metadata.namespace"),
    fieldEnv(SIDECAR_ENV.podUid, "metadata.uid"),
    fieldEnv(SIDECAR_ENV.workflow, `metadata.labels['${LABEL_WORKFLOW}']`),
    fieldEnv(SIDECAR_ENV.nodeId, `metadata.annotations['${ANNOTATION_NODE_ID}']`),
    { name: SIDECAR_ENV.coordinatorUrl, value: config.coordinatorUrl },
    { name: SIDECAR_ENV.coordinatorCa, value: config.coordinatorCa },
    { name: SIDECAR_ENV.tokenFile, value: TOKEN_FILE },
    { name: SIDECAR_ENV.deadlineSeconds, value: String(config.deadlineSeconds) },
    // --expose-gc lets the sidecar scavenge dead socket buffers while it streams main's log
    // (sidecar/main.ts). --jitless: interpreter only; the sidecar is I/O-bound, and it keeps
    // ~11 MiB less resident (measured: 65 vs 76 MiB peak while main writes 200 MB).
    { name: "NODE_OPTIONS", value: "--expose-gc --jitless" },
  ];
}

function tokenVolume(): V1Volume {
  return {
    name: TOKEN_VOLUME,
    projected: {
      defaultMode: READABLE_MODE,
      sources: [
        {
          serviceAccountToken: {
            audience: REPORT_AUDIENCE,
            expirationSeconds: TOKEN_EXPIRATION_SECONDS,
            path: "token",
          },
        },
      ],
    },
  };
}
