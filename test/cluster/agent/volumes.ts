// Materialises a pod's volumes under its state directory and keeps them fresh (tokens, configMaps, downward API).
import { mkdir, readFile, rename, writeFile, chmod } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { V1Pod, V1Volume } from "@kubernetes/client-node";
import type { PodRuntimeFacts } from "./field-ref.ts";
import { isStatus, type KubeClient } from "./kube-client.ts";
import {
  configMapData,
  secretData,
  volumeFiles,
  volumeReferences,
  type FileMap,
  type ObjectData,
  type TokenNeed,
  type VolumeObjects,
} from "./volume-files.ts";

interface CachedToken {
  token: string;
  refreshAtMs: number;
}

export async function fetchObject(
  client: KubeClient,
  ns: string,
  kind: "configmaps" | "secrets",
  name: string,
): Promise<ObjectData> {
  try {
    const obj = await client.request<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(
      "GET",
      `/api/v1/namespaces/${ns}/${kind}/${name}`,
    );
    return kind === "configmaps" ? configMapData(obj) : secretData(obj);
  } catch (err) {
    if (isStatus(err, 404)) return null;
    throw err;
  }
}

async function writeFiles(dir: string, files: FileMap): Promise<void> {
  for (const [rel, { content, mode }] of files) {
    const path = join(dir, rel);
    const current = await readFile(path).catch(() => undefined);
    if (current?.equals(content)) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.onexit-tmp`, content, { mode });
    await chmod(`${path}.onexit-tmp`, mode);
    await rename(`${path}.onexit-tmp`, path);
  }
}

export class PodVolumes {
  private readonly client: KubeClient;
  private readonly root: string;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(client: KubeClient, podDir: string) {
    this.client = client;
    this.root = join(podDir, "volumes");
  }

  /** Creates or refreshes every volume; returns volume name → host directory, or the first error. */
  async prepare(pod: V1Pod, facts: PodRuntimeFacts): Promise<Map<string, string>> {
    const dirs = new Map<string, string>();
    for (const volume of pod.spec?.volumes ?? []) {
      dirs.set(volume.name, await this.prepareOne(volume, pod, facts));
    }
    return dirs;
  }

  private async prepareOne(volume: V1Volume, pod: V1Pod, facts: PodRuntimeFacts): Promise<string> {
    if (volume.hostPath) {
      await mkdir(volume.hostPath.path, { recursive: true });
      return volume.hostPath.path;
    }
    const dir = join(this.root, volume.name);
    await mkdir(dir, { recursive: true });
    if (volume.emptyDir) return dir;
    if (!volume.configMap && !volume.secret && !volume.downwardAPI && !volume.projected) {
      throw new Error(`volume ${volume.name}: unsupported volume type on this node`);
    }
    const objects = await this.objectsFor(volume, pod);
    const files = volumeFiles(volume, pod, facts, objects);
    if (files instanceof Error) throw files;
    await writeFiles(dir, files);
    return dir;
  }

  private async objectsFor(volume: V1Volume, pod: V1Pod): Promise<VolumeObjects> {
    const ns = pod.metadata?.namespace ?? "default";
    const refs = volumeReferences(volume);
    const objects: VolumeObjects = { configMaps: new Map(), secrets: new Map(), tokens: new Map() };
    for (const name of refs.configMaps)
      objects.configMaps.set(name, await fetchObject(this.client, ns, "configmaps", name));
    for (const name of refs.secrets)
      objects.secrets.set(name, await fetchObject(this.client, ns, "secrets", name));
    for (const need of refs.tokens) objects.tokens.set(need.key, await this.token(pod, need));
    return objects;
  }

  /** A token bound to the pod; requested again after 80% of its lifetime (or 24 h). */
  private async token(pod: V1Pod, need: TokenNeed): Promise<string> {
    const cached = this.tokens.get(need.key);
    if (cached && Date.now() < cached.refreshAtMs) return cached.token;
    const ns = pod.metadata?.namespace ?? "default";
    const sa = pod.spec?.serviceAccountName ?? "default";
    const res = await this.client.request<{ status: { token: string; expirationTimestamp: string } }>(
      "POST",
      `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
      {
        body: {
          apiVersion: "authentication.k8s.io/v1",
          kind: "TokenRequest",
          spec: {
            audiences: need.audience ? [need.audience] : [],
            expirationSeconds: need.expirationSeconds,
            boundObjectRef: {
              apiVersion: "v1",
              kind: "Pod",
              name: pod.metadata?.name,
              uid: pod.metadata?.uid,
            },
          },
        },
      },
    );
    const now = Date.now();
    const ttl = Math.max(0, Date.parse(res.status.expirationTimestamp) - now);
    this.tokens.set(need.key, {
      token: res.status.token,
      refreshAtMs: now + Math.min(ttl * 0.8, 24 * 3600_000),
    });
    return res.status.token;
  }
}
