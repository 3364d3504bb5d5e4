import { describe, expect, it } from "vitest";
import { workflowScope } from "./scope.ts";
import { node, NO_FACTS, workflow } from "./testing/scope-fixtures.ts";

describe("workflowScope", () => {
  it("when the workflow has identity and metadata, then the workflow.* keys are set", () => {
    const wf = workflow(
      { serviceAccountName: "runner", arguments: { parameters: [{ name: "message", value: "hi" }] } },
      { labels: { team: "a", app: "x" }, annotations: { note: "n" } },
    );
    const scope = workflowScope(wf, { ...NO_FACTS, globalOutputs: { result: "42" } }, new Date());
    expect(scope).toMatchObject({
      "workflow.name": "exit-handler-zx78p",
      "workflow.namespace": "argo",
      "workflow.uid": "5f2b-uid",
      "workflow.serviceAccountName": "runner",
      "workflow.mainEntrypoint": "step1",
      "workflow.status": "Failed",
      "workflow.parameters.message": "hi",
      "workflow.outputs.parameters.result": "42",
      "workflow.labels.team": "a",
      "workflow.labels.app": "x",
      "workflow.annotations.note": "n",
      "workflow.labels": '{"app":"x","team":"a"}',
      "workflow.labels.json": '{"app":"x","team":"a"}',
      "workflow.annotations": '{"note":"n"}',
      "workflow.annotations.json": '{"note":"n"}',
    });
  });

  it.each(["Succeeded", "Failed", "Error", "Running"] as const)(
    "when the phase is %s, then workflow.status is it",
    (phase) => {
      expect(workflowScope(workflow(), { ...NO_FACTS, phase }, new Date())["workflow.status"]).toBe(phase);
    },
  );

  it("when the workflow has no metadata maps, then their JSON forms are {} and no per-key entries exist", () => {
    const scope = workflowScope(workflow(), NO_FACTS, new Date());
    expect(scope["workflow.labels.json"]).toBe("{}");
    expect(scope["workflow.annotations.json"]).toBe("{}");
    expect(Object.keys(scope).filter((key) => key.startsWith("workflow.labels."))).toEqual([
      "workflow.labels.json",
    ]);
  });

  it("when nothing failed, then workflow.failures is [] (never null)", () => {
    expect(workflowScope(workflow(), NO_FACTS, new Date())["workflow.failures"]).toBe("[]");
  });

  it("when a node failed, then workflow.failures is its JSON list with Argo's pod name", () => {
    const nodes = {
      x: node({
        id: "x",
        name: "exit-handler-zx78p",
        templateName: "step1",
        phase: "Failed",
        message: "Error (exit code 1)",
        finishedAt: "2024-03-05T14:07:19Z",
      }),
    };
    const scope = workflowScope(workflow(), { ...NO_FACTS, nodes }, new Date());
    expect(scope["workflow.failures"]).toBe(
      '[{"displayName":"exit-handler-zx78p","message":"Error (exit code 1)","templateName":"step1","phase":"Failed","podName":"exit-handler-zx78p","finishedAt":"2024-03-05T14:07:19Z"}]',
    );
  });

  it.each([
    ["12.5 s after start", "2024-03-05T14:07:10Z", "2024-03-05T14:07:22.500Z", "12.500000"],
    ["at the start", "2024-03-05T14:07:10Z", "2024-03-05T14:07:10Z", "0.000000"],
    ["a millisecond in", "2024-03-05T14:07:10Z", "2024-03-05T14:07:10.001Z", "0.001000"],
    ["an hour in", "2024-03-05T14:00:00Z", "2024-03-05T15:00:00Z", "3600.000000"],
    ["before the workflow started", undefined, "2024-03-05T15:00:00Z", "0.000000"],
  ])("when %s, then workflow.duration is Go's %%f of the seconds", (_case, startedAt, now, expected) => {
    const scope = workflowScope(workflow(), { ...NO_FACTS, startedAt }, new Date(now));
    expect(scope["workflow.duration"]).toBe(expected);
  });

  it("when the workflow was created, then creationTimestamp is RFC3339 with strftime and unix forms", () => {
    const scope = workflowScope(
      workflow({}, { creationTimestamp: "2024-03-05T14:07:09Z" }),
      NO_FACTS,
      new Date(),
    );
    expect(scope).toMatchObject({
      "workflow.creationTimestamp": "2024-03-05T14:07:09Z",
      "workflow.creationTimestamp.RFC3339": "2024-03-05T14:07:09Z",
      "workflow.creationTimestamp.s": "1709647629",
      "workflow.creationTimestamp.Y": "2024",
      "workflow.creationTimestamp.y": "24",
      "workflow.creationTimestamp.m": "03",
      "workflow.creationTimestamp.B": "March",
      "workflow.creationTimestamp.b": "Mar",
      "workflow.creationTimestamp.d": "05",
      "workflow.creationTimestamp.A": "Tuesday",
      "workflow.creationTimestamp.a": "Tue",
      "workflow.creationTimestamp.H": "14",
      "workflow.creationTimestamp.I": "02",
      "workflow.creationTimestamp.p": "PM",
      "workflow.creationTimestamp.M": "07",
      "workflow.creationTimestamp.S": "09",
      "workflow.creationTimestamp.Z": "UTC",
      "workflow.creationTimestamp.z": "+0000",
      "workflow.creationTimestamp.L": ".000",
    });
  });

  it.each([
    ["midnight", "2024-01-01T00:00:00Z", "12", "AM"],
    ["noon", "2024-01-01T12:00:00Z", "12", "PM"],
    ["11 pm", "2024-01-01T23:00:00Z", "11", "PM"],
  ])(
    "when created at %s, then .I and .p follow a 12-hour clock",
    (_case, creationTimestamp, hour, meridiem) => {
      const scope = workflowScope(workflow({}, { creationTimestamp }), NO_FACTS, new Date());
      expect(scope["workflow.creationTimestamp.I"]).toBe(hour);
      expect(scope["workflow.creationTimestamp.p"]).toBe(meridiem);
    },
  );

  it("when the workflow has no creation timestamp yet, then no creationTimestamp keys exist", () => {
    const scope = workflowScope(workflow({}, { creationTimestamp: undefined }), NO_FACTS, new Date());
    expect(Object.keys(scope).some((key) => key.startsWith("workflow.creationTimestamp"))).toBe(false);
  });

  it.each([
    ["a value", { name: "p", value: "v" }, "v"],
    ["only a default", { name: "p", default: "d" }, "d"],
    ["a value and a default", { name: "p", value: "v", default: "d" }, "v"],
    ["an empty value", { name: "p", value: "", default: "d" }, ""],
    ["a valueFrom default", { name: "p", valueFrom: { default: "f" } }, "f"],
  ])("when a workflow parameter has %s, then workflow.parameters.<n> is it", (_case, parameter, expected) => {
    const scope = workflowScope(workflow({ arguments: { parameters: [parameter] } }), NO_FACTS, new Date());
    expect(scope["workflow.parameters.p"]).toBe(expected);
  });

  it("when a parameter has no value at all, then it has no key", () => {
    const scope = workflowScope(
      workflow({ arguments: { parameters: [{ name: "p" }] } }),
      NO_FACTS,
      new Date(),
    );
    expect(Object.hasOwn(scope, "workflow.parameters.p")).toBe(false);
  });

  it("when parameters exist, then workflow.parameters and .json are the list in Argo's field order", () => {
    const parameters = [
      { value: "v", name: "a", enum: ["v", "w"], default: "w" },
      { name: "b", globalName: "g", value: "x" },
    ];
    const scope = workflowScope(workflow({ arguments: { parameters } }), NO_FACTS, new Date());
    const expected =
      '[{"name":"a","default":"w","value":"v","enum":["v","w"]},{"name":"b","value":"x","globalName":"g"}]';
    expect(scope["workflow.parameters.json"]).toBe(expected);
    expect(scope["workflow.parameters"]).toBe(expected);
  });

  it("when there are no parameters, then workflow.parameters.json is []", () => {
    expect(workflowScope(workflow(), NO_FACTS, new Date())["workflow.parameters.json"]).toBe("[]");
  });

  it("when spec.priority and the cron scheduled-time annotation are set, then their keys exist", () => {
    const wf = workflow(
      { priority: 3 },
      { annotations: { "workflows.argoproj.io/scheduled-time": "2024-01-01T00:00:00Z" } },
    );
    const scope = workflowScope(wf, NO_FACTS, new Date());
    expect(scope["workflow.priority"]).toBe("3");
    expect(scope["workflow.scheduledTime"]).toBe("2024-01-01T00:00:00Z");
  });

  it("when optional fields are missing, then their keys are empty strings as in Argo", () => {
    const wf = workflow({ entrypoint: undefined }, { uid: undefined, namespace: undefined });
    const scope = workflowScope(wf, NO_FACTS, new Date());
    expect(scope["workflow.uid"]).toBe("");
    expect(scope["workflow.namespace"]).toBe("");
    expect(scope["workflow.mainEntrypoint"]).toBe("");
    expect(scope["workflow.serviceAccountName"]).toBe("");
    expect(Object.hasOwn(scope, "workflow.priority")).toBe(false);
  });

  it("when the scope is built, then every value is a string", () => {
    const wf = workflow(
      { arguments: { parameters: [{ name: "n", value: 5 as unknown as string }] } },
      { labels: { a: "b" } },
    );
    const scope = workflowScope(wf, { ...NO_FACTS, globalOutputs: { o: "1" } }, new Date());
    for (const value of Object.values(scope)) expect(typeof value).toBe("string");
    expect(scope["workflow.parameters.n"]).toBe("5");
  });
});
