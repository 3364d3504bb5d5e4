import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readCrd, readWorkflowCrd, templateCrds } from "./crds.ts";

describe("the template CRDs", () => {
  it("when the chart is built, then each template CRD is what test/chart/crds.ts writes from the Workflow CRD (run `npx node test/chart/crds.ts`)", () => {
    for (const [file, text] of Object.entries(templateCrds(readWorkflowCrd())))
      expect(readCrd(file)).toBe(text);
  });

  it("when a template's spec is checked, then it is the Workflow's spec schema", () => {
    const workflow = parse(readWorkflowCrd());
    const template = parse(readCrd("workflowtemplates.yaml"));
    const specOf = (crd: typeof workflow): unknown =>
      crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(specOf(template)).toEqual(specOf(workflow));
    expect(parse(readCrd("clusterworkflowtemplates.yaml")).spec.scope).toBe("Cluster");
  });
});
