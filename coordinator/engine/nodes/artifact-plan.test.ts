import { describe, expect, it } from "vitest";
import type { Template, Workflow } from "../workflow.ts";
import { archiveLogsOf, artifactPlan } from "./artifact-plan.ts";
import type { ArtifactRepository } from "./artifact-repository.ts";
import { keyPrefixOf } from "./artifact-repository.ts";

const wf = { metadata: { name: "wf" }, spec: { templates: [] } } as unknown as Workflow;
const repository: ArtifactRepository = {
  s3: {
    endpoint: "store:8333",
    bucket: "b",
    insecure: true,
    region: "us-east-1",
    accessKeySecret: { name: "s", key: "a" },
    secretKeySecret: { name: "s", key: "k" },
  },
};
const scope = { "workflow.name": "wf", "pod.name": "wf-gen-1" };

function template(outputs: Template["outputs"], extra: Partial<Template> = {}): Template {
  return { name: "gen", container: { image: "alpine", command: ["sh"] }, outputs, ...extra } as Template;
}

describe("artifactPlan", () => {
  it("when a template declares outputs, then their keys are Argo's: <keyFormat>/<name>.tgz, or the file's name with archive none", () => {
    const plan = artifactPlan({
      wf,
      template: template({
        artifacts: [
          { name: "dir", path: "/tmp/dir/" },
          { name: "file", path: "/tmp/f.txt", archive: { none: {} }, optional: true },
          { name: "keyed", path: "/tmp/k", s3: { key: "my/key.tgz" } },
        ],
      }),
      inputs: [],
      repository,
      scope,
    });
    expect(plan).toEqual({
      ok: true,
      value: {
        repository: { ...repository.s3, keyPrefix: "wf/wf-gen-1" },
        outputs: [
          { name: "dir", path: "/tmp/dir/", key: "wf/wf-gen-1/dir.tgz", archive: "tgz", optional: false },
          { name: "file", path: "/tmp/f.txt", key: "wf/wf-gen-1/f.txt", archive: "none", optional: true },
          { name: "keyed", path: "/tmp/k", key: "my/key.tgz", archive: "tgz", optional: false },
        ],
        inputs: [],
      },
    });
  });

  it("when a template has no artifact work, then there is no plan", () => {
    expect(artifactPlan({ wf, template: template(undefined), inputs: [], repository, scope })).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it("when outputs are declared and no repository is configured, then the pod is not built and the message says what to set", () => {
    const plan = artifactPlan({
      wf,
      template: template({ artifacts: [{ name: "a", path: "/a" }] }),
      inputs: [],
      repository: undefined,
      scope,
    });
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.error).toMatch(/no artifact repository/);
  });

  it("when logs are archived, then the plan names main.log under the pod's prefix", () => {
    const plan = artifactPlan({
      wf: { ...wf, spec: { ...wf.spec, archiveLogs: true } } as Workflow,
      template: template(undefined),
      inputs: [],
      repository,
      scope,
    });
    expect(plan.ok && plan.value?.logsKey).toBe("wf/wf-gen-1/main.log");
  });
});

describe("archiveLogsOf", () => {
  const withWf = (value: boolean | undefined): Workflow =>
    ({ ...wf, spec: { ...wf.spec, archiveLogs: value } }) as Workflow;
  it("when the template, the workflow and the repository disagree, then the template wins, then the workflow", () => {
    const own = template(undefined, { archiveLocation: { archiveLogs: false } });
    expect(archiveLogsOf(withWf(true), own, { ...repository, archiveLogs: true })).toBe(false);
    expect(archiveLogsOf(withWf(false), template(undefined), { ...repository, archiveLogs: true })).toBe(
      false,
    );
    expect(archiveLogsOf(withWf(undefined), template(undefined), { ...repository, archiveLogs: true })).toBe(
      true,
    );
    expect(archiveLogsOf(withWf(undefined), template(undefined), repository)).toBe(false);
  });
});

describe("keyPrefixOf", () => {
  it("when keyFormat uses workflow variables, then they are substituted and slashes trimmed", () => {
    expect(keyPrefixOf({ ...repository, keyFormat: "/runs/{{workflow.name}}/" }, scope)).toEqual({
      ok: true,
      value: "runs/wf",
    });
  });
  it("when keyFormat names an unknown variable, then the error says it is the keyFormat", () => {
    const prefix = keyPrefixOf({ ...repository, keyFormat: "{{workflow.nope}}" }, scope);
    expect(!prefix.ok && prefix.error).toMatch(/^artifact repository keyFormat: /);
  });
});
