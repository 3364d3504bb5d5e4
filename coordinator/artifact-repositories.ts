// The ConfigMaps a workflow's artifact repository may come from, for the engine's input: read
// with a GET (only until the status records the resolved repository, so once per workflow), from
// the workflow's namespace and the coordinator's only (engine/artifacts/repository.ts decides
// which). One that does not exist is left out; any other error fails the reconcile, which is
// retried with back-off and logged.
import type { V1ConfigMap } from "@kubernetes/client-node";
import { artifactRepositoryConfigMaps, type Workflow } from "./engine/index.ts";

export async function repositoryConfigMapsOf(
  workflow: Workflow,
  controllerNamespace: string,
  get: (namespace: string, name: string) => Promise<V1ConfigMap | undefined>,
): Promise<V1ConfigMap[]> {
  const found: V1ConfigMap[] = [];
  for (const { namespace, name } of artifactRepositoryConfigMaps(workflow, controllerNamespace)) {
    const configMap = await get(namespace, name);
    // The API's answer carries no namespace on some fakes; the resolver matches on it.
    if (configMap !== undefined)
      found.push({ ...configMap, metadata: { ...configMap.metadata, namespace, name } });
  }
  return found;
}
