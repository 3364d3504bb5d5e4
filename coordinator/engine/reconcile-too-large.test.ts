import { describe, expect, it } from "vitest";
import { FINALIZER } from "../../common/names.ts";
import { createdPods, events, kinds, running, step, succeed, world } from "./testing/world.ts";

const WITH_HANDLER = `
spec:
  entrypoint: main
  onExit: bye
  templates:
  - name: main
    steps: [[{name: a, template: work}]]
  - name: work
    container: {image: alpine}
  - name: bye
    container: {image: alpine}
`;

const TOO_LARGE = "workflow is longer than maximum allowed size: 3 bytes, 2 with status.nodes compressed";

describe("a status too long to store (ReconcileInput.statusTooLarge)", () => {
  it("when the runtime says so, then the workflow and its entry node end in Error with its words, the other stored nodes kept, and nothing more runs", () => {
    const w = world(WITH_HANDLER);
    step(w);
    running(w, "wf[0].a");
    step(w);
    const stored = structuredClone(w.workflow.status);
    succeed(w, "wf[0].a");
    w.statusTooLarge = TOO_LARGE;
    const result = step(w);
    const entryId = Object.values(stored?.nodes ?? {}).find((n) => n.name === "wf")?.id ?? "";
    expect(result.status).toMatchObject({ phase: "Error", message: TOO_LARGE });
    expect(result.status.nodes).toEqual({
      ...stored?.nodes,
      [entryId]: {
        ...stored?.nodes?.[entryId],
        phase: "Error",
        message: TOO_LARGE,
        finishedAt: w.now.toISOString(),
      },
    });
    expect(result.status.finishedAt).toBe(w.now.toISOString());
    expect(result.labels).toMatchObject({ "workflows.argoproj.io/phase": "Error" });
    expect(createdPods(result)).toEqual([]); // not even the exit handler
    expect(kinds(result.actions)).toContain("removeFinalizer");
    expect(events(result.actions)).toContain("WorkflowError");
    expect(w.workflow.metadata.finalizers ?? []).not.toContain(FINALIZER);
  });

  it("when the workflow has already finished, then the fact changes nothing", () => {
    const w = world(WITH_HANDLER);
    step(w);
    succeed(w, "wf[0].a");
    step(w);
    succeed(w, "wf.onExit");
    step(w);
    expect(w.workflow.status?.phase).toBe("Succeeded");
    w.statusTooLarge = TOO_LARGE;
    const done = structuredClone(w.workflow.status);
    expect(step(w).status).toEqual(done);
  });
});
