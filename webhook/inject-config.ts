// What the mutation needs to know, decided once at startup and passed in: the pure
// inject function never reads env, files or clocks.
import type { V1ResourceRequirements, V1SecurityContext } from "@kubernetes/client-node";

export interface InjectConfig {
  image: string;
  resources: V1ResourceRequirements;
  securityContext: V1SecurityContext;
  coordinatorUrl: string;
  /** Only pods whose AdmissionReview names this user (the coordinator's ServiceAccount) are injected. */
  coordinatorUsername: string;
  /** PEM text of the CA that signed the coordinator's certificate. */
  coordinatorCa: string;
  deadlineSeconds: number;
  /** Recorded in the injected annotation so a later version can tell what it is looking at. */
  version: string;
}

export const DEFAULT_SIDECAR_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: "10m", memory: "64Mi" },
  limits: { memory: "128Mi" },
};

export const DEFAULT_SIDECAR_SECURITY_CONTEXT: V1SecurityContext = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
