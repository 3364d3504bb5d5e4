// Builds a container's environment from its spec, the pod and the objects it references.
import type { V1Container, V1EnvVar, V1Pod } from "@kubernetes/client-node";
import { fieldRefValue, type PodRuntimeFacts } from "./field-ref.ts";

/** ConfigMap data and Secret data (already base64-decoded), by name; null = does not exist. */
export interface EnvObjects {
  configMaps: Map<string, Record<string, string> | null>;
  secrets: Map<string, Record<string, string> | null>;
}

export interface EnvInput {
  pod: V1Pod;
  container: V1Container;
  facts: PodRuntimeFacts;
  objects: EnvObjects;
  hostPath: string;
  kubernetesService: { host: string; port: string };
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** Names of the ConfigMaps and Secrets a container's env refers to. */
export function envReferences(container: V1Container): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

/** Expands `$(VAR)` references the way the kubelet does (`$$` escapes; unknown names stay as written). */
export function expandVars(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return "$";
    return Object.hasOwn(env, name) ? (env[name] ?? "") : whole;
  });
}

export function buildEnv(input: EnvInput): EnvResult {
  const { pod, container } = input;
  const env: Record<string, string> = {
    PATH: input.hostPath,
    HOME: "/root",
    HOSTNAME: (pod.spec?.hostname ?? pod.metadata?.name ?? "").slice(0, 63),
    KUBERNETES_SERVICE_HOST: input.kubernetesService.host,
    KUBERNETES_SERVICE_PORT: input.kubernetesService.port,
    KUBERNETES_SERVICE_PORT_HTTPS: input.kubernetesService.port,
    KUBERNETES_PORT: `tcp://${input.kubernetesService.host}:${input.kubernetesService.port}`,
  };
  for (const from of container.envFrom ?? []) {
    const result = applyEnvFrom(env, from, input.objects);
    if (result !== undefined) return { ok: false, message: result };
  }
  for (const e of container.env ?? []) {
    const value = envValue(e, input, env);
    if (typeof value === "object") return { ok: false, message: value.error };
    if (value !== undefined) env[e.name] = value;
  }
  return { ok: true, env };
}

function applyEnvFrom(
  env: Record<string, string>,
  from: NonNullable<V1Container["envFrom"]>[number],
  objects: EnvObjects,
): string | undefined {
  const ref = from.configMapRef ?? from.secretRef;
  if (ref === undefined) return undefined;
  const kind = from.configMapRef ? "configmap" : "secret";
  const data = (from.configMapRef ? objects.configMaps : objects.secrets).get(ref.name ?? "");
  if (data === null || data === undefined) {
    return ref.optional ? undefined : `${kind} "${ref.name}" not found`;
  }
  for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ""}${k}`] = v;
  return undefined;
}

function envValue(
  e: V1EnvVar,
  input: EnvInput,
  env: Record<string, string>,
): string | undefined | { error: string } {
  if (e.valueFrom === undefined) return expandVars(e.value ?? "", env);
  const { fieldRef, configMapKeyRef, secretKeyRef, resourceFieldRef } = e.valueFrom;
  if (fieldRef !== undefined) {
    const v = fieldRefValue(input.pod, fieldRef.fieldPath, input.facts);
    return v ?? { error: `unsupported fieldRef ${fieldRef.fieldPath} in env ${e.name}` };
  }
  if (resourceFieldRef !== undefined) return "0";
  const keyRef = configMapKeyRef ?? secretKeyRef;
  if (keyRef === undefined) return undefined;
  const kind = configMapKeyRef ? "configmap" : "secret";
  const data = (configMapKeyRef ? input.objects.configMaps : input.objects.secrets).get(keyRef.name ?? "");
  const value = data?.[keyRef.key];
  if (value !== undefined) return value;
  if (keyRef.optional) return undefined;
  return data
    ? { error: `couldn't find key ${keyRef.key} in ${kind} ${keyRef.name}` }
    : { error: `${kind} "${keyRef.name}" not found` };
}
