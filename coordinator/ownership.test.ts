import type { V1OwnerReference, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Workflow } from "./engine/index.ts";
import { foreignObject, isControlledBy, partitionPods } from "./ownership.ts";

const workflow: Workflow = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name: "wf", namespace: "ns", uid: "u1" },
  spec: { templates: [] },
};

const ref = (uid: string, controller?: boolean): V1OwnerReference => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  name: "wf",
  uid,
  ...(controller === undefined ? {} : { controller, blockOwnerDeletion: controller }),
});

const pod = (name: string, ...ownerReferences: V1OwnerReference[]): V1Pod => ({
  metadata: { name, ...(ownerReferences.length === 0 ? {} : { ownerReferences }) },
});

describe("isControlledBy", () => {
  it("when the controller ownerReference carries the workflow's uid, then the object is the workflow's", () => {
    expect(isControlledBy(pod("a", ref("u1", true)), workflow)).toBe(true);
  });

  it("when the uid is only on a reference that is not the controller, or there is none, then it is not", () => {
    expect(isControlledBy(pod("a", ref("u1")), workflow)).toBe(false);
    expect(isControlledBy(pod("a", ref("u1", false), ref("x", true)), workflow)).toBe(false);
    expect(isControlledBy(pod("a"), workflow)).toBe(false);
  });

  it("when the controller reference does not block the owner's deletion, then it is not (anyone could write it)", () => {
    expect(isControlledBy(pod("a", { ...ref("u1", true), blockOwnerDeletion: false }), workflow)).toBe(false);
  });

  it("when the workflow has no uid yet, then nothing is its", () => {
    const noUid = { ...workflow, metadata: { name: "wf" } };
    expect(isControlledBy(pod("a", ref("", true)), noUid)).toBe(false);
  });
});

describe("partitionPods", () => {
  it("when pods carry the workflow's label, then only those it controls are its; a namesake's and nobody's are foreign, naming their controller", () => {
    const pods = [pod("mine", ref("u1", true)), pod("old", ref("u0", true)), pod("nobody")];
    const { owned, foreign } = partitionPods(workflow, pods);
    expect(owned.map((p) => p.metadata?.name)).toEqual(["mine"]);
    expect(foreign).toEqual([
      { kind: "Pod", name: "old", controller: "Workflow wf, uid u0" },
      { kind: "Pod", name: "nobody" },
    ]);
  });
});

describe("foreignObject", () => {
  it("when a ConfigMap has no controller, then its description names none", () => {
    expect(foreignObject("ConfigMap", { metadata: { name: "wf-onexit-logs" } })).toEqual({
      kind: "ConfigMap",
      name: "wf-onexit-logs",
    });
  });
});
