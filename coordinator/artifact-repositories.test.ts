import type { V1ConfigMap } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Workflow } from "./engine/index.ts";
import { repositoryConfigMapsOf } from "./artifact-repositories.ts";

const workflow = (status?: Workflow["status"]): Workflow => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name: "wf", namespace: "team" },
  spec: { templates: [], artifactRepositoryRef: { configMap: "repos" } },
  ...(status === undefined ? {} : { status }),
});

describe("repositoryConfigMapsOf", () => {
  it("when the ref's ConfigMap exists only in the coordinator's namespace, then that one is returned", async () => {
    const asked: string[] = [];
    const get = async (namespace: string, name: string): Promise<V1ConfigMap | undefined> => {
      asked.push(`${namespace}/${name}`);
      return namespace === "onexit" ? { metadata: { name }, data: { k: "v" } } : undefined;
    };
    const found = await repositoryConfigMapsOf(workflow(), "onexit", get);
    expect(asked).toEqual(["team/repos", "onexit/repos"]);
    expect(found).toEqual([{ metadata: { namespace: "onexit", name: "repos" }, data: { k: "v" } }]);
  });

  it("when the status already records the repository, then nothing is read", async () => {
    const get = async (): Promise<V1ConfigMap | undefined> => {
      throw new Error("must not be called");
    };
    expect(
      await repositoryConfigMapsOf(workflow({ artifactRepositoryRef: { default: true } }), "onexit", get),
    ).toEqual([]);
  });
});
