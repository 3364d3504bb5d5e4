import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { WorkflowSpec } from "../workflow.ts";
import { mergeWorkflowSpec } from "./merge.ts";

const spec = (text: string): WorkflowSpec => parse(text) as WorkflowSpec;

const TEMPLATE = spec(`
entrypoint: main
onExit: notify
serviceAccountName: runner
arguments:
  parameters:
  - {name: message, value: from-template}
  - {name: count, default: "1"}
hooks:
  exit: {template: notify}
  running: {template: watch, expression: "true"}
templates:
- name: main
  container: {image: alpine:3.20, command: [echo], args: [template]}
- name: notify
  container: {image: alpine:3.20, args: ["{{workflow.status}}"]}
`);

describe("mergeWorkflowSpec (Argo's JoinWorkflowSpec)", () => {
  it("when the workflow sets nothing but the reference, then the template's spec is the workflow's", () => {
    const merged = mergeWorkflowSpec(spec(`workflowTemplateRef: {name: wt}`), TEMPLATE);
    expect(merged.entrypoint).toBe("main");
    expect(merged.onExit).toBe("notify");
    expect(merged.hooks).toEqual(TEMPLATE.hooks);
    expect(merged.templates.map((t) => t.name)).toEqual(["main", "notify"]);
    expect(merged.workflowTemplateRef).toEqual({ name: "wt" });
  });

  it("when both set a field, then the workflow's wins; objects merge field by field", () => {
    const merged = mergeWorkflowSpec(
      spec(`
entrypoint: other
serviceAccountName: mine
templates:
- name: main
  container: {args: [mine]}
- name: other
  container: {image: busybox}
`),
      TEMPLATE,
    );
    expect(merged.entrypoint).toBe("other");
    expect(merged.serviceAccountName).toBe("mine");
    expect(merged.templates.map((t) => t.name)).toEqual(["main", "notify", "other"]);
    expect(merged.templates[0]?.container).toEqual({
      image: "alpine:3.20",
      command: ["echo"],
      args: ["mine"],
    });
  });

  it("when arguments are given, then they merge by name, each taken whole from where it has a value", () => {
    const merged = mergeWorkflowSpec(
      spec(`
arguments:
  parameters:
  - {name: count, value: "3"}
  - {name: extra, value: x}
`),
      TEMPLATE,
    );
    expect(merged.arguments?.parameters).toEqual([
      { name: "message", value: "from-template" },
      { name: "count", value: "3" },
      { name: "extra", value: "x" },
    ]);
  });

  it("when hooks are named in both, then the workflow's hook is kept whole and the template's others added", () => {
    const merged = mergeWorkflowSpec(spec(`hooks: {exit: {template: mine}}`), TEMPLATE);
    expect(merged.hooks).toEqual({
      exit: { template: "mine" },
      running: { template: "watch", expression: "true" },
    });
  });

  it("when the merge runs again on its own result, then nothing changes (the stored spec is stable)", () => {
    const own = spec(`{entrypoint: main, arguments: {parameters: [{name: count, value: "2"}]}}`);
    const once = mergeWorkflowSpec(own, TEMPLATE);
    expect(mergeWorkflowSpec(own, once)).toEqual(once);
  });

  it("when merging, then neither input is modified", () => {
    const own = spec(`{templates: [{name: main, container: {args: [mine]}}]}`);
    const before = structuredClone([own, TEMPLATE]);
    mergeWorkflowSpec(own, TEMPLATE);
    expect([own, TEMPLATE]).toEqual(before);
  });
});
