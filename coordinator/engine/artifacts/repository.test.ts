import type { V1ConfigMap } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ArtifactRepository, Workflow } from "../workflow.ts";
import {
  DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION,
  artifactRepositoryConfigMaps,
  checkRepository,
  resolveArtifactRepository,
} from "./repository.ts";

const S3_YAML = `s3:
  endpoint: store:8333
  bucket: artifacts
  insecure: true
  accessKeySecret: {name: store-cred, key: accesskey}
  secretKeySecret: {name: store-cred, key: secretkey}
`;

const chartDefault: ArtifactRepository = {
  s3: {
    bucket: "chart",
    accessKeySecret: { name: "c", key: "a" },
    secretKeySecret: { name: "c", key: "s" },
  },
};

function workflow(spec: Partial<Workflow["spec"]> = {}, status?: Workflow["status"]): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "wf", namespace: "team" },
    spec: { templates: [], ...spec },
    ...(status === undefined ? {} : { status }),
  };
}

function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  defaultKey?: string,
): V1ConfigMap {
  const annotations =
    defaultKey === undefined ? undefined : { [DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION]: defaultKey };
  return { metadata: { namespace, name, ...(annotations === undefined ? {} : { annotations }) }, data };
}

const sources = (configMaps: V1ConfigMap[], defaultRepository?: ArtifactRepository) => ({
  configMaps,
  controllerNamespace: "onexit",
  defaultRepository,
});

describe("artifactRepositoryConfigMaps", () => {
  it("when no ref is given, then only the workflow namespace's artifact-repositories is read", () => {
    expect(artifactRepositoryConfigMaps(workflow(), "onexit")).toEqual([
      { namespace: "team", name: "artifact-repositories" },
    ]);
  });

  it("when a ref is given, then its ConfigMap is read in the workflow's namespace, then the coordinator's", () => {
    const wf = workflow({ artifactRepositoryRef: { configMap: "repos", key: "k" } });
    expect(artifactRepositoryConfigMaps(wf, "onexit")).toEqual([
      { namespace: "team", name: "repos" },
      { namespace: "onexit", name: "repos" },
    ]);
  });

  it("when the status holds the resolved repository, then nothing is read", () => {
    const wf = workflow({}, { artifactRepositoryRef: { default: true } });
    expect(artifactRepositoryConfigMaps(wf, "onexit")).toEqual([]);
  });
});

describe("resolveArtifactRepository", () => {
  it("when nothing is configured, then the chart's default is used", () => {
    expect(resolveArtifactRepository(workflow(), sources([], chartDefault))).toEqual({
      ok: true,
      ref: { default: true, artifactRepository: chartDefault },
    });
  });

  it("when there is no default either, then the ref says default with no repository", () => {
    expect(resolveArtifactRepository(workflow(), sources([]))).toEqual({ ok: true, ref: { default: true } });
  });

  it("when the namespace has artifact-repositories, then its annotated key wins over the chart's default", () => {
    const cm = configMap("team", "artifact-repositories", { main: S3_YAML }, "main");
    const result = resolveArtifactRepository(workflow(), sources([cm], chartDefault));
    expect(result).toEqual({
      ok: true,
      ref: {
        configMap: "artifact-repositories",
        key: "main",
        namespace: "team",
        artifactRepository: {
          s3: {
            endpoint: "store:8333",
            bucket: "artifacts",
            insecure: true,
            accessKeySecret: { name: "store-cred", key: "accesskey" },
            secretKeySecret: { name: "store-cred", key: "secretkey" },
          },
        },
      },
    });
  });

  it("when the ref names a key, then that key is used instead of the annotation's", () => {
    const cm = configMap("team", "repos", { main: "s3: {}", other: S3_YAML }, "main");
    const wf = workflow({ artifactRepositoryRef: { configMap: "repos", key: "other" } });
    const result = resolveArtifactRepository(wf, sources([cm]));
    expect(result.ok && result.ref.key).toBe("other");
  });

  it("when the ConfigMap is only in the coordinator's namespace, then that one is used", () => {
    const cm = configMap("onexit", "artifact-repositories", { main: S3_YAML }, "main");
    const wf = workflow({ artifactRepositoryRef: {} });
    const result = resolveArtifactRepository(wf, sources([cm]));
    expect(result.ok && result.ref.namespace).toBe("onexit");
  });

  it("when a ConfigMap comes from another namespace, then it is not trusted", () => {
    const cm = configMap("elsewhere", "artifact-repositories", { main: S3_YAML }, "main");
    const result = resolveArtifactRepository(workflow({ artifactRepositoryRef: {} }), sources([cm]));
    expect(result).toEqual({
      ok: false,
      error:
        'spec.artifactRepositoryRef.configMap: no ConfigMap "artifact-repositories" in namespace team or onexit',
    });
  });

  it("when the key is missing, then the error names the field, the ConfigMap and the key", () => {
    const cm = configMap("team", "repos", { main: S3_YAML });
    const wf = workflow({ artifactRepositoryRef: { configMap: "repos", key: "nope" } });
    expect(resolveArtifactRepository(wf, sources([cm]))).toEqual({
      ok: false,
      error: 'spec.artifactRepositoryRef.key: ConfigMap team/repos has no key "nope"',
    });
  });

  it("when neither the ref nor the annotation gives a key, then the error says so", () => {
    const cm = configMap("team", "artifact-repositories", { main: S3_YAML });
    const result = resolveArtifactRepository(workflow(), sources([cm]));
    expect(result).toEqual({
      ok: false,
      error: `ConfigMap team/artifact-repositories: no key given, and ConfigMap team/artifact-repositories has no ${DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION} annotation`,
    });
  });

  it("when the value lacks the credentials, then the error names the repository's field", () => {
    const cm = configMap("team", "repos", { k: "s3: {bucket: b, accessKeySecret: {name: n, key: k}}" });
    const wf = workflow({ artifactRepositoryRef: { configMap: "repos", key: "k" } });
    const result = resolveArtifactRepository(wf, sources([cm]));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(
      /^spec\.artifactRepositoryRef\.key: ConfigMap team\/repos key "k": s3\.secretKeySecret: /,
    );
  });

  it("when the value is not YAML, then the error says so", () => {
    const cm = configMap("team", "repos", { k: "s3: [" });
    const wf = workflow({ artifactRepositoryRef: { configMap: "repos", key: "k" } });
    const result = resolveArtifactRepository(wf, sources([cm]));
    expect(!result.ok && result.error).toMatch(/key "k": not YAML: /);
  });

  it("when the status already holds a repository, then a changed ConfigMap changes nothing", () => {
    const stored = {
      configMap: "artifact-repositories",
      key: "main",
      namespace: "team",
      artifactRepository: chartDefault,
    };
    const cm = configMap("team", "artifact-repositories", { main: S3_YAML }, "main");
    const result = resolveArtifactRepository(workflow({}, { artifactRepositoryRef: stored }), sources([cm]));
    expect(result).toEqual({ ok: true, ref: stored });
  });
});

describe("checkRepository", () => {
  it("when the repository is of another kind, then only s3 is accepted", () => {
    expect(checkRepository({ gcs: { bucket: "b" } })).toEqual({
      ok: false,
      error: "only s3 repositories are supported by onexit, not gcs",
    });
  });

  it("when the SDK's own credentials are asked for, then it is refused", () => {
    const result = checkRepository({
      s3: {
        bucket: "b",
        useSDKCreds: true,
        accessKeySecret: { name: "n", key: "k" },
        secretKeySecret: { name: "n", key: "k" },
      },
    });
    expect(result).toEqual({
      ok: false,
      error: "s3.useSDKCreds: not supported by onexit: name the credentials' Secret",
    });
  });

  it("when archiveLogs alone is set, then it is accepted", () => {
    expect(checkRepository({ archiveLogs: true })).toEqual({ ok: true, value: { archiveLogs: true } });
  });
});
