import { describe, expect, it } from "vitest";
import { nodeScope } from "./scope.ts";
import { node } from "./testing/scope-fixtures.ts";

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
