// Pure: the files a configMap / secret / downwardAPI / projected volume holds.
import type { V1KeyToPath, V1Pod, V1Volume, V1VolumeProjection } from "@kubernetes/client-node";
import { fieldRefValue, type PodRuntimeFacts } from "./field-ref.ts";

/** ConfigMap or Secret contents with every value as bytes; null = does not exist. */
export type ObjectData = Record<string, Buffer> | null;

export interface VolumeObjects {
  configMaps: Map<string, ObjectData>;
  secrets: Map<string, ObjectData>;
  /** Token by `<volume>/<path>`. */
  tokens: Map<string, string>;
}

export interface TokenNeed {
  key: string;
  audience?: string;
  expirationSeconds: number;
}

export interface VolumeReferences {
  configMaps: string[];
  secrets: string[];
  tokens: TokenNeed[];
}

export type FileMap = Map<string, { content: Buffer; mode: number }>;

function sources(volume: V1Volume): V1VolumeProjection[] {
  if (volume.projected) return volume.projected.sources ?? [];
  if (volume.configMap) return [{ configMap: volume.configMap }];
  if (volume.secret)
    return [
      {
        secret: {
          name: volume.secret.secretName,
          items: volume.secret.items,
          optional: volume.secret.optional,
        },
      },
    ];
  if (volume.downwardAPI) return [{ downwardAPI: volume.downwardAPI }];
  return [];
}

function defaultMode(volume: V1Volume): number {
  return (
    volume.projected?.defaultMode ??
    volume.configMap?.defaultMode ??
    volume.secret?.defaultMode ??
    volume.downwardAPI?.defaultMode ??
    0o644
  );
}

export function volumeReferences(volume: V1Volume): VolumeReferences {
  const refs: VolumeReferences = { configMaps: [], secrets: [], tokens: [] };
  for (const s of sources(volume)) {
    if (s.configMap?.name) refs.configMaps.push(s.configMap.name);
    if (s.secret?.name) refs.secrets.push(s.secret.name);
    if (s.serviceAccountToken) {
      refs.tokens.push({
        key: `${volume.name}/${s.serviceAccountToken.path}`,
        ...(s.serviceAccountToken.audience ? { audience: s.serviceAccountToken.audience } : {}),
        expirationSeconds: s.serviceAccountToken.expirationSeconds ?? 3600,
      });
    }
  }
  return refs;
}

interface KeySource {
  kind: string;
  ref: { name?: string; items?: V1KeyToPath[]; optional?: boolean };
  data: ObjectData | undefined;
  mode: number;
}

function keyFiles(files: FileMap, { kind, ref, data, mode }: KeySource): string | undefined {
  if (data === null || data === undefined)
    return ref.optional ? undefined : `${kind} "${ref.name}" not found`;
  if (ref.items === undefined || ref.items.length === 0) {
    for (const [k, v] of Object.entries(data)) files.set(k, { content: v, mode });
    return undefined;
  }
  for (const item of ref.items) {
    const v = data[item.key];
    if (v === undefined) {
      if (ref.optional) continue;
      return `${kind} "${ref.name}" has no key "${item.key}"`;
    }
    files.set(item.path, { content: v, mode: item.mode ?? mode });
  }
  return undefined;
}

function sourceFiles(
  files: FileMap,
  s: V1VolumeProjection,
  ctx: { volume: V1Volume; pod: V1Pod; facts: PodRuntimeFacts; objects: VolumeObjects; mode: number },
): string | undefined {
  const { objects, mode } = ctx;
  if (s.configMap)
    return keyFiles(files, {
      kind: "configmap",
      ref: s.configMap,
      data: objects.configMaps.get(s.configMap.name ?? ""),
      mode,
    });
  if (s.secret)
    return keyFiles(files, {
      kind: "secret",
      ref: s.secret,
      data: objects.secrets.get(s.secret.name ?? ""),
      mode,
    });
  if (s.serviceAccountToken) {
    const token = objects.tokens.get(`${ctx.volume.name}/${s.serviceAccountToken.path}`);
    if (token === undefined) return `no token for ${s.serviceAccountToken.path}`;
    files.set(s.serviceAccountToken.path, { content: Buffer.from(token), mode });
    return undefined;
  }
  for (const item of s.downwardAPI?.items ?? []) {
    const value = item.fieldRef
      ? fieldRefValue(ctx.pod, item.fieldRef.fieldPath, ctx.facts)
      : item.resourceFieldRef
        ? "0"
        : undefined;
    if (value === undefined) return `unsupported downwardAPI item ${item.path}`;
    files.set(item.path, { content: Buffer.from(value), mode: item.mode ?? mode });
  }
  return undefined;
}

/** The files of a configMap/secret/downwardAPI/projected volume, or an error message. */
export function volumeFiles(
  volume: V1Volume,
  pod: V1Pod,
  facts: PodRuntimeFacts,
  objects: VolumeObjects,
): FileMap | Error {
  const files: FileMap = new Map();
  const ctx = { volume, pod, facts, objects, mode: defaultMode(volume) };
  for (const s of sources(volume)) {
    const err = sourceFiles(files, s, ctx);
    if (err !== undefined) return new Error(`volume ${volume.name}: ${err}`);
  }
  return files;
}

/** Decodes a ConfigMap (data + binaryData) or a Secret (base64 data + stringData) into bytes. */
export function configMapData(cm: {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, "base64");
  return out;
}

export function secretData(secret: { data?: Record<string, string> }): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")]));
}
