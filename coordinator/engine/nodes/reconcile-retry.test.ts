import { describe, expect, it } from "vitest";
import { createdPods, fail, step, world } from "../testing/world.ts";

const argsOf = (pods: ReturnType<typeof createdPods>): string[] =>
  pods.flatMap((p) => p.spec?.containers.find((c) => c.name === "main")?.args ?? []);

describe("reconcile: {{retries}}", () => {
  it("when a retried step's template uses {{retries}}, then each attempt's pod gets its attempt number", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: flaky}]]
  - name: flaky
    retryStrategy: {limit: 2}
    container: {image: alpine, command: [sh, -c], args: ["echo try {{retries}}"]}
`);
    expect(argsOf(createdPods(step(w)))).toEqual(["echo try 0"]);
    fail(w, "wf[0].a(0)");
    expect(argsOf(createdPods(step(w)))).toEqual(["echo try 1"]);
    fail(w, "wf[0].a(1)");
    expect(argsOf(createdPods(step(w)))).toEqual(["echo try 2"]);
  });

  it("when a looped item is retried, then {{retries}} counts that item's attempts", () => {
    const w = world(`
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: flaky, withItems: [x]}]]
  - name: flaky
    retryStrategy: {limit: 1}
    container: {image: alpine, args: ["{{retries}}"]}
`);
    expect(argsOf(createdPods(step(w)))).toEqual(["0"]);
    fail(w, "wf[0].a(0:x)(0)");
    expect(argsOf(createdPods(step(w)))).toEqual(["1"]);
  });
});
