// The pod that deletes one strategy's artifacts (common/artifact-gc.ts): onexit's image running
// `onexit artifact-gc`, in the workflow's namespace, owned by the workflow, with the store's
// credentials from the Secret there and no service account token (it needs no API access).
import type { V1EnvVar, V1Pod } from "@kubernetes/client-node";
import type { S3Repository } from "../../../common/artifact-plan.ts";
import { credentialEnvName } from "../../../common/artifact-plan.ts";
import {
  ARTIFACT_GC_COMMAND,
  ARTIFACT_GC_COMPONENT,
  ARTIFACT_GC_ENV,
  LABEL_COMPONENT,
  type ArtifactGCJob,
} from "../../../common/artifact-gc.ts";
import { LABEL_WORKFLOW, MAIN_CONTAINER, fnv32a } from "../../../common/names.ts";
import type { Workflow } from "../workflow.ts";
import type { GCStrategy } from "./gc.ts";
import { workflowOwnerReference } from "../owner-reference.ts";

const SHORT: Record<GCStrategy, string> = { OnWorkflowCompletion: "wfcomp", OnWorkflowDeletion: "wfdel" };
/** The kubelet stops it after this long (the engine gives up on it a little later, gc.ts). */
const POD_DEADLINE_SECONDS = 240;

/** Argo's GC pod name: `<wf>-artgc-<wfcomp|wfdel>-<hash>` (63 characters at most). */
export function gcPodName(wf: Workflow, strategy: GCStrategy): string {
  const name = wf.metadata.name ?? "";
  const hash = fnv32a(`${wf.metadata.uid ?? ""}/${strategy}`);
  const suffix = `-artgc-${SHORT[strategy]}-${hash}`;
  return `${name.slice(0, 63 - suffix.length)}${suffix}`;
}

function credentialEnv(repository: S3Repository): V1EnvVar[] {
  const refs = [repository.accessKeySecret, repository.secretKeySecret];
  const unique = new Map(refs.map((ref) => [credentialEnvName(ref), ref]));
  return [...unique].map(([name, ref]) => ({
    name,
    valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } },
  }));
}

export function gcPod(
  wf: Workflow,
  strategy: GCStrategy,
  what: { repository: S3Repository; keys: string[]; image: string },
): V1Pod {
  const job: ArtifactGCJob = { repository: what.repository, keys: what.keys };
  const serviceAccountName = wf.spec.artifactGC?.["serviceAccountName"];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: gcPodName(wf, strategy),
      namespace: wf.metadata.namespace ?? "default",
      labels: { [LABEL_WORKFLOW]: wf.metadata.name ?? "", [LABEL_COMPONENT]: ARTIFACT_GC_COMPONENT },
      ownerReferences: [workflowOwnerReference(wf)],
    },
    spec: {
      restartPolicy: "Never",
      activeDeadlineSeconds: POD_DEADLINE_SECONDS,
      automountServiceAccountToken: false,
      ...(typeof serviceAccountName === "string" && serviceAccountName !== "" ? { serviceAccountName } : {}),
      containers: [
        {
          name: MAIN_CONTAINER,
          image: what.image,
          args: [ARTIFACT_GC_COMMAND],
          env: [{ name: ARTIFACT_GC_ENV, value: JSON.stringify(job) }, ...credentialEnv(what.repository)],
          terminationMessagePolicy: "FallbackToLogsOnError",
          resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
        },
      ],
    },
  };
}
