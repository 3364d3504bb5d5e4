// What a pod with an artifact plan (common/artifact-plan.ts) needs, added to the injected pod:
// the artifacts emptyDir; `onexit-init` fetching the inputs and copying the copier (it also
// creates the output parameter files, so one init container does both); each input mounted into
// `main` by subPath at its path; with outputs, `main`'s command behind the copier
// (artifact-copier.ts) and the volume mounted in `main`; the plan and the store's credentials
// (env from the Secret, never copied) in `onexit-init` and `wait`. Pure; called once from inject.ts.
import type { V1Container, V1EnvVar, V1Pod, V1VolumeMount } from "@kubernetes/client-node";
import type { ArtifactPlan } from "../common/artifact-plan.ts";
import {
  ARTIFACT_PLAN_ANNOTATION,
  ARTIFACT_PLAN_ENV,
  ARTIFACTS_INIT_COMMAND,
  ARTIFACTS_MOUNT_PATH,
  ARTIFACTS_VOLUME,
  credentialEnvName,
  inputSubPath,
  needsCopier,
  parseArtifactPlan,
  planSecrets,
} from "../common/artifact-plan.ts";
import {
  MAIN_CONTAINER,
  OUTPUTS_INIT_CONTAINER,
  OUTPUTS_MOUNT_PATH,
  OUTPUTS_VOLUME,
  WAIT_CONTAINER,
} from "../common/names.ts";
import { copierCommand } from "./artifact-copier.ts";
import type { InjectConfig } from "./inject-config.ts";
import { initSecurityContext, placeholderFiles } from "./output-placeholders.ts";

/** The plan's env: the annotation itself (downward API) and one variable per Secret key. */
export function artifactEnv(plan: ArtifactPlan): V1EnvVar[] {
  const fieldPath = `metadata.annotations['${ARTIFACT_PLAN_ANNOTATION}']`;
  return [
    { name: ARTIFACT_PLAN_ENV, valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } },
    ...planSecrets(plan).map((ref) => ({
      name: credentialEnvName(ref),
      valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
    })),
  ];
}

function initContainer(pod: V1Pod, plan: ArtifactPlan, config: InjectConfig): V1Container {
  const files = placeholderFiles(pod);
  const mounts: V1VolumeMount[] = [{ name: ARTIFACTS_VOLUME, mountPath: ARTIFACTS_MOUNT_PATH }];
  if (files.length > 0) mounts.push({ name: OUTPUTS_VOLUME, mountPath: OUTPUTS_MOUNT_PATH });
  return {
    name: OUTPUTS_INIT_CONTAINER,
    image: config.image,
    args: [ARTIFACTS_INIT_COMMAND, ...files.map((f) => `${OUTPUTS_MOUNT_PATH}/${f}`)],
    // --expose-gc: downloads collect garbage every few MiB (sidecar/s3-store.ts), within the sidecar's limits.
    env: [...artifactEnv(plan), { name: "NODE_OPTIONS", value: "--expose-gc" }],
    resources: structuredClone(config.resources),
    securityContext: initSecurityContext(pod, config),
    volumeMounts: mounts,
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

function withMain(main: V1Container, plan: ArtifactPlan): V1Container {
  const mounts = [...(main.volumeMounts ?? [])];
  plan.inputs.forEach((input, i) =>
    mounts.push({ name: ARTIFACTS_VOLUME, mountPath: input.path, subPath: inputSubPath(i) }),
  );
  if (!needsCopier(plan)) return { ...main, volumeMounts: mounts };
  mounts.push({ name: ARTIFACTS_VOLUME, mountPath: ARTIFACTS_MOUNT_PATH });
  return { ...main, command: copierCommand(plan, main.command ?? []), volumeMounts: mounts };
}

function withWait(wait: V1Container, plan: ArtifactPlan): V1Container {
  return {
    ...wait,
    env: [...(wait.env ?? []), ...artifactEnv(plan)],
    volumeMounts: [
      ...(wait.volumeMounts ?? []),
      { name: ARTIFACTS_VOLUME, mountPath: ARTIFACTS_MOUNT_PATH, readOnly: true },
    ],
  };
}

/** The plan the coordinator wrote, when it is one; a malformed one is left to the sidecar, which
 * fails the step saying so (the webhook has no way to tell the step). */
export function podPlan(pod: V1Pod): ArtifactPlan | undefined {
  return parseArtifactPlan(pod.metadata?.annotations?.[ARTIFACT_PLAN_ANNOTATION]).plan;
}

/** Adds the artifact work to an injected pod (its `wait` already there); returns the names of
 * the init containers and volumes it added. */
export function addArtifacts(pod: V1Pod, config: InjectConfig): { containers: string[]; volumes: string[] } {
  const plan = podPlan(pod);
  const spec = pod.spec;
  if (plan === undefined || spec === undefined) return { containers: [], volumes: [] };
  if ((spec.volumes ?? []).some((v) => v.name === ARTIFACTS_VOLUME)) return { containers: [], volumes: [] };
  spec.volumes = [...(spec.volumes ?? []), { name: ARTIFACTS_VOLUME, emptyDir: {} }];
  spec.initContainers = [initContainer(pod, plan, config), ...(spec.initContainers ?? [])];
  spec.containers = spec.containers.map((c) => {
    if (c.name === MAIN_CONTAINER) return withMain(c, plan);
    if (c.name === WAIT_CONTAINER) return withWait(c, plan);
    return c;
  });
  return { containers: [OUTPUTS_INIT_CONTAINER], volumes: [ARTIFACTS_VOLUME] };
}
