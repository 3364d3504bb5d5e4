import { describe, expect, it } from "vitest";
import { podName } from "../../common/names.ts";
import type { NodeStatus, Workflow } from "../../common/types.ts";
import { failures, nodeScope, workflowScope, type WorkflowFacts } from "./scope.ts";

function node(overrides: Partial<NodeStatus> & Pick<NodeStatus, "id" | "name">): NodeStatus {
  return {
    displayName: overrides.name,
    type: "Pod",
    templateName: "step",
    phase: "Succeeded",
    ...overrides,
  };
}

function workflow(
  overrides: Partial<Workflow["spec"]> = {},
  metadata: Partial<Workflow["metadata"]> = {},
): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name: "exit-handler-zx78p",
      namespace: "argo",
      uid: "5f2b-uid",
      creationTimestamp: "2024-03-05T14:07:09Z",
      ...metadata,
    },
    spec: { entrypoint: "step1", onExit: "exit-handler", templates: [], ...overrides },
  };
}

const NO_FACTS: WorkflowFacts = { phase: "Failed", startedAt: undefined, nodes: {}, globalOutputs: {} };

describe("failures", () => {
  it("when nothing failed, then the list is empty", () => {
    expect(failures({})).toEqual([]);
    expect(failures({ a: node({ id: "a", name: "wf[0].a" }) })).toEqual([]);
  });

  it("when the seed's single pod failed, then it is listed in Argo's shape and field order", () => {
    const nodes = {
      "exit-handler-zx78p": node({
        id: "exit-handler-zx78p",
        name: "exit-handler-zx78p",
        templateName: "step1",
        phase: "Failed",
        message: "Error (exit code 1)",
        finishedAt: "2024-03-05T14:07:19Z",
      }),
    };
    const listed = failures(nodes, "exit-handler-zx78p");
    expect(listed).toEqual([
      {
        displayName: "exit-handler-zx78p",
        message: "Error (exit code 1)",
        templateName: "step1",
        phase: "Failed",
        podName: "exit-handler-zx78p",
        finishedAt: "2024-03-05T14:07:19Z",
      },
    ]);
    expect(Object.keys(listed[0] ?? {})).toEqual([
      "displayName",
      "message",
      "templateName",
      "phase",
      "podName",
      "finishedAt",
    ]);
  });

  it.each<[NodeStatus["phase"], boolean]>([
    ["Pending", false],
    ["Running", false],
    ["Succeeded", false],
    ["Skipped", false],
    ["Omitted", false],
    ["Failed", true],
    ["Error", true],
  ])("when a node is %s, then listed is %s", (phase, listed) => {
    expect(failures({ a: node({ id: "a", name: "wf.a", phase }) })).toHaveLength(listed ? 1 : 0);
  });

  it("when non-pod nodes failed too, then they are listed as Argo lists every failed node", () => {
    const nodes = {
      wf: node({
        id: "wf",
        name: "wf",
        type: "Steps",
        templateName: "main",
        phase: "Failed",
        finishedAt: "2024-01-01T00:00:03Z",
      }),
      g: node({
        id: "g",
        name: "wf[0]",
        type: "StepGroup",
        templateName: "main",
        phase: "Failed",
        finishedAt: "2024-01-01T00:00:02Z",
      }),
      p: node({
        id: "p",
        name: "wf[0].a",
        displayName: "a",
        phase: "Failed",
        finishedAt: "2024-01-01T00:00:01Z",
      }),
    };
    expect(failures(nodes).map((f) => f.displayName)).toEqual(["a", "wf[0]", "wf"]);
  });

  it("when nodes finished at different times, then they are ordered by finish time, unfinished last, ties in node order", () => {
    const nodes = {
      late: node({ id: "late", name: "late", phase: "Error", finishedAt: "2024-01-01T00:00:09Z" }),
      open: node({ id: "open", name: "open", phase: "Failed" }),
      tieB: node({ id: "tieB", name: "tieB", phase: "Failed", finishedAt: "2024-01-01T00:00:05Z" }),
      tieA: node({ id: "tieA", name: "tieA", phase: "Failed", finishedAt: "2024-01-01T00:00:05Z" }),
      early: node({ id: "early", name: "early", phase: "Failed", finishedAt: "2024-01-01T00:00:01Z" }),
    };
    expect(failures(nodes).map((f) => f.displayName)).toEqual(["early", "tieB", "tieA", "late", "open"]);
  });

  it.each([
    ["a recorded pod name", { podName: "recorded-pod" }, "wf", "recorded-pod"],
    ["no recorded pod name but the workflow name", {}, "wf", podName("wf", "wf[0].a", "step")],
    ["neither", {}, undefined, ""],
  ])("when the node has %s, then podName follows", (_case, extra, workflowName, expected) => {
    const nodes = { a: node({ id: "a", name: "wf[0].a", phase: "Failed", ...extra }) };
    expect(failures(nodes, workflowName)[0]?.podName).toBe(expected);
  });

  it("when message and finishedAt are missing, then they are empty strings", () => {
    const [failure] = failures({ a: node({ id: "a", name: "a", phase: "Error" }) });
    expect(failure?.message).toBe("");
    expect(failure?.finishedAt).toBe("");
  });

  it("when finishedAt has fractional seconds, then it is RFC3339 at second precision", () => {
    const [failure] = failures({
      a: node({ id: "a", name: "a", phase: "Error", finishedAt: "2024-01-01T00:00:05.123Z" }),
    });
    expect(failure?.finishedAt).toBe("2024-01-01T00:00:05Z");
  });
});

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

describe("nodeScope", () => {
  it("when a step finished with outputs, then every steps.<name>.* key is set", () => {
    const finished = node({
      id: "wf-123",
      name: "wf[0].gen",
      phase: "Succeeded",
      startedAt: "2024-01-01T00:00:01Z",
      finishedAt: "2024-01-01T00:00:05.250Z",
      hostNodeName: "node-1",
      outputs: {
        result: "heads",
        exitCode: "0",
        parameters: [
          { name: "p", value: "v" },
          { name: "q", value: "w" },
        ],
      },
    });
    expect(nodeScope("steps", "gen", finished)).toEqual({
      "steps.gen.id": "wf-123",
      "steps.gen.status": "Succeeded",
      "steps.gen.startedAt": "2024-01-01T00:00:01Z",
      "steps.gen.finishedAt": "2024-01-01T00:00:05Z",
      "steps.gen.hostNodeName": "node-1",
      "steps.gen.exitCode": "0",
      "steps.gen.outputs.result": "heads",
      "steps.gen.outputs.parameters.p": "v",
      "steps.gen.outputs.parameters.q": "w",
      "steps.gen.outputs.parameters": '{"p":"v","q":"w"}',
    });
  });

  it("when a task failed without outputs, then only the keys with values exist", () => {
    const failed = node({
      id: "wf-9",
      name: "wf.B",
      phase: "Failed",
      finishedAt: "2024-01-01T00:00:05Z",
      outputs: { exitCode: "1" },
    });
    expect(nodeScope("tasks", "B", failed)).toEqual({
      "tasks.B.id": "wf-9",
      "tasks.B.status": "Failed",
      "tasks.B.finishedAt": "2024-01-01T00:00:05Z",
      "tasks.B.exitCode": "1",
    });
  });

  it("when a node was skipped, then it has only id and status", () => {
    expect(nodeScope("steps", "s", node({ id: "i", name: "n", type: "Skipped", phase: "Skipped" }))).toEqual({
      "steps.s.id": "i",
      "steps.s.status": "Skipped",
    });
  });

  it("when an output parameter has no value, then it has no key and is left out of the JSON", () => {
    const withOutputs = node({
      id: "i",
      name: "n",
      outputs: { parameters: [{ name: "none" }, { name: "some", value: "" }] },
    });
    const scope = nodeScope("steps", "s", withOutputs);
    expect(Object.hasOwn(scope, "steps.s.outputs.parameters.none")).toBe(false);
    expect(scope["steps.s.outputs.parameters.some"]).toBe("");
    expect(scope["steps.s.outputs.parameters"]).toBe('{"some":""}');
  });

  it("when the outputs are an empty result and exit code 0, then they are still set", () => {
    const scope = nodeScope(
      "steps",
      "s",
      node({ id: "i", name: "n", outputs: { result: "", exitCode: "0" } }),
    );
    expect(scope["steps.s.outputs.result"]).toBe("");
    expect(scope["steps.s.exitCode"]).toBe("0");
  });

  it("when the node has an empty id, then no id key exists", () => {
    expect(Object.hasOwn(nodeScope("steps", "s", node({ id: "", name: "n" })), "steps.s.id")).toBe(false);
  });

  it("when the name has dashes, then keys carry it unchanged", () => {
    expect(Object.keys(nodeScope("tasks", "flip-coin", node({ id: "i", name: "n" })))).toContain(
      "tasks.flip-coin.status",
    );
  });
});
