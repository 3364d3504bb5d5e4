// Turns a container spec into the argv, env and mount script of its next attempt.
import { existsSync, mkdirSync } from "node:fs";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { PrepareError, type PreparedContainer } from "./container-runner.ts";
import { buildEnv, envReferences, expandVars, type EnvObjects } from "./env.ts";
import type { PodRuntimeFacts } from "./field-ref.ts";
import { resolveEntrypoint } from "./image-table.ts";
import type { KubeClient } from "./kube-client.ts";
import { containerMounts, mountScript } from "./mount-script.ts";
import { fetchObject } from "./volumes.ts";

export interface PrepareContext {
  client: KubeClient;
  pod: V1Pod;
  container: V1Container;
  facts: PodRuntimeFacts;
  repo: string;
  hostPath: string;
  volumeDirs: ReadonlyMap<string, string>;
  hostsFile: string;
  /** This container's own empty directory where the mount script holds its sources. */
  stageDir: string;
  kubernetesService: { host: string; port: string };
}

async function envObjects(ctx: PrepareContext): Promise<EnvObjects> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  const refs = envReferences(ctx.container);
  const toText = (d: Record<string, Buffer> | null): Record<string, string> | null =>
    d === null ? null : Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.toString("utf8")]));
  const objects: EnvObjects = { configMaps: new Map(), secrets: new Map() };
  for (const name of refs.configMaps)
    objects.configMaps.set(name, toText(await fetchObject(ctx.client, ns, "configmaps", name)));
  for (const name of refs.secrets)
    objects.secrets.set(name, toText(await fetchObject(ctx.client, ns, "secrets", name)));
  return objects;
}

export function podHostname(pod: V1Pod): string {
  return (pod.spec?.hostname ?? pod.metadata?.name ?? "pod").slice(0, 63);
}

export async function prepareContainer(ctx: PrepareContext): Promise<PreparedContainer> {
  const entry = resolveEntrypoint(ctx.container, ctx.repo);
  if (!entry.ok) throw new PrepareError(entry.reason, entry.message, true);
  const built = buildEnv({
    pod: ctx.pod,
    container: ctx.container,
    facts: ctx.facts,
    objects: await envObjects(ctx),
    hostPath: ctx.hostPath,
    kubernetesService: ctx.kubernetesService,
  });
  if (!built.ok) throw new PrepareError("CreateContainerConfigError", built.message);
  const env = built.env;
  const mounts = containerMounts(ctx.container, ctx.volumeDirs, env);
  if (mounts instanceof Error) throw new PrepareError("CreateContainerConfigError", mounts.message);
  for (const m of mounts) if (!existsSync(m.source)) mkdirSync(m.source, { recursive: true });
  const script = mountScript({
    mounts,
    hostsFile: ctx.hostsFile,
    stageDir: ctx.stageDir,
    hostname: podHostname(ctx.pod),
    ...(ctx.container.workingDir ? { workingDir: ctx.container.workingDir } : {}),
  });
  return { argv: entry.argv.map((a) => expandVars(a, env)), env, script };
}
