import { describe, expect, it } from "vitest";
import { LABEL_ON_EXIT, LABEL_WORKFLOW, logTailsConfigMapName } from "../../../common/names.ts";
import {
  createdPods,
  events,
  exit,
  fail,
  kinds,
  node,
  podNames,
  podOf,
  step,
  succeed,
  world,
} from "../testing/world.ts";

const SEED = `
metadata:
  generateName: exit-handler-
spec:
  entrypoint: step1
  onExit: exit-handler
  templates:
  - name: step1
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo failed step; exit 1"]
  - name: exit-handler
    container:
      image: alpine:latest
      command: [sh, -c]
      args: ["echo Exit status: {{workflow.status}}"]
`;

describe("reconcile: workflow exit handler", () => {
  it("when the seed's step exits 1, then the workflow fails with its message and the handler sees Failed", () => {
    const w = world(SEED, "exit-handler-zx78p");
    const first = step(w);
    expect(first.status.phase).toBe("Running");
    expect(createdPods(first).map((p) => p.metadata?.name)).toEqual(["exit-handler-zx78p"]);
    expect(events(first.actions)).toEqual(["WorkflowRunning"]);

    exit(w, "exit-handler-zx78p", 1, { log: "failed step\n" });
    const second = step(w);
    const handlerPod = createdPods(second)[0];
    expect(handlerPod?.metadata?.name).toBe("exit-handler-zx78p-exit-handler-3923311637");
    expect(handlerPod?.spec?.containers[0]?.args).toEqual(["echo Exit status: Failed"]);
    expect(handlerPod?.metadata?.labels?.[LABEL_ON_EXIT]).toBe("true");
    expect(second.status.phase).toBe("Running");
    expect(node(w, "exit-handler-zx78p")).toMatchObject({
      phase: "Failed",
      message: "Error (exit code 1)",
      type: "Pod",
    });
    expect(node(w, "exit-handler-zx78p.onExit")).toMatchObject({
      phase: "Pending",
      boundaryID: "",
      displayName: "exit-handler-zx78p.onExit",
    });
    expect(kinds(second.actions)).toEqual(["labelPodCompleted", "createConfigMap", "createPod", "event"]);
    expect(events(second.actions)).toEqual(["ExitHandlerStarted"]);

    succeed(w, "exit-handler-zx78p.onExit");
    const third = step(w);
    expect(third.status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)", progress: "2/2" });
    expect(third.status.finishedAt).toBeDefined();
    expect(events(third.actions)).toEqual(["ExitHandlerCompleted", "WorkflowFailed"]);
  });

  it("when the main step succeeds, then the handler sees Succeeded and the workflow succeeds", () => {
    const w = world(SEED.replace("exit 1", "exit 0"));
    step(w);
    succeed(w, "wf");
    const second = step(w);
    expect(createdPods(second)[0]?.spec?.containers[0]?.args).toEqual(["echo Exit status: Succeeded"]);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Succeeded");
    expect(events(w.actions)).toEqual([
      "WorkflowRunning",
      "ExitHandlerStarted",
      "ExitHandlerCompleted",
      "WorkflowSucceeded",
    ]);
  });

  it("when the body succeeds and the handler fails, then the workflow fails with the handler's message", () => {
    const w = world(SEED);
    step(w);
    succeed(w, "wf");
    step(w);
    fail(w, "wf.onExit");
    const result = step(w);
    expect(result.status).toMatchObject({ phase: "Failed", message: "Error (exit code 1)" });
    expect(events(result.actions)).toEqual(["ExitHandlerFailed", "WorkflowFailed"]);
  });

  it("when the body fails and the handler succeeds, then the workflow stays failed", () => {
    const w = world(SEED);
    step(w);
    fail(w, "wf");
    step(w);
    succeed(w, "wf.onExit");
    expect(step(w).status.phase).toBe("Failed");
  });

  it("when spec.hooks.exit is used without arguments, then it inherits spec.arguments", () => {
    const w = world(`
spec:
  entrypoint: main
  arguments: {parameters: [{name: who, value: world}]}
  hooks: {exit: {template: bye}}
  templates:
  - name: main
    container: {image: alpine}
  - name: bye
    inputs: {parameters: [{name: who}]}
    container: {image: alpine, args: ["bye {{inputs.parameters.who}} {{workflow.status}}"]}
`);
    step(w);
    succeed(w, "wf");
    const pod = createdPods(step(w))[0];
    expect(pod?.spec?.containers[0]?.args).toEqual(["bye world Succeeded"]);
  });

  it("when both onExit and hooks.exit are set, then onExit wins", () => {
    const w = world(`
spec:
  entrypoint: main
  onExit: a
  hooks: {exit: {template: b}}
  templates:
  - {name: main, container: {image: alpine}}
  - {name: a, container: {image: alpine}}
  - {name: b, container: {image: alpine}}
`);
    step(w);
    succeed(w, "wf");
    step(w);
    expect(node(w, "wf.onExit").templateName).toBe("a");
  });

  it("when the handler is a steps template with when on workflow.status, then only the matching step runs", () => {
    const w = world(`
spec:
  entrypoint: main
  onExit: handler
  templates:
  - name: main
    container: {image: alpine}
  - name: handler
    steps:
    - - name: notify
        template: say
        when: "{{workflow.status}} != Succeeded"
      - name: celebrate
        template: say
        when: "{{workflow.status}} == Succeeded"
  - name: say
    container: {image: alpine, args: ["{{workflow.status}}"]}
`);
    step(w);
    fail(w, "wf");
    const second = step(w);
    expect(
      createdPods(second).map((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"]),
    ).toEqual(["wf.onExit[0].notify"]);
    expect(node(w, "wf.onExit[0].celebrate")).toMatchObject({ phase: "Skipped", type: "Skipped" });
    expect(node(w, "wf.onExit[0].notify").boundaryID).toBe(node(w, "wf.onExit").id);
    expect(podOf(w, "wf.onExit[0].notify").metadata?.labels?.[LABEL_ON_EXIT]).toBe("true");
    succeed(w, "wf.onExit[0].notify");
    expect(step(w).status.phase).toBe("Failed");
  });

  it("when the handler is a script with retries, then its attempts carry the on-exit label and the log mount", () => {
    const w = world(`
spec:
  entrypoint: main
  onExit: notify
  templates:
  - {name: main, container: {image: alpine}}
  - name: notify
    retryStrategy: {limit: 1}
    script: {image: alpine, command: [sh], source: "cat {{onexit.logDir}}/*; echo {{workflow.status}}"}
`);
    step(w);
    fail(w, "wf");
    const pod = createdPods(step(w))[0];
    expect(node(w, "wf.onExit")).toMatchObject({ type: "Retry", boundaryID: "" });
    expect(pod?.metadata?.annotations?.["workflows.argoproj.io/node-name"]).toBe("wf.onExit(0)");
    expect(pod?.metadata?.annotations?.["onexit.dev/script"]).toBe("cat /onexit/logs/*; echo Failed");
    expect(pod?.metadata?.labels?.[LABEL_ON_EXIT]).toBe("true");
    expect(pod?.spec?.containers[0]?.volumeMounts).toContainEqual({
      name: "onexit-logs",
      mountPath: "/onexit/logs",
      readOnly: true,
    });
    fail(w, "wf.onExit(0)");
    expect(
      createdPods(step(w)).map((p) => p.metadata?.annotations?.["workflows.argoproj.io/node-name"]),
    ).toEqual(["wf.onExit(1)"]);
    succeed(w, "wf.onExit(1)");
    expect(step(w).status.phase).toBe("Failed");
  });

  it("when the handler starts, then a ConfigMap with the failed steps' log tails is created first and mounted", () => {
    const w = world(
      SEED.replace(
        'args: ["echo Exit status: {{workflow.status}}"]',
        'args: ["{{onexit.logDir}} {{onexit.logFiles}}"]',
      ),
    );
    step(w);
    exit(w, "wf", 1, { log: "failed step\n" });
    const result = step(w);
    const configMap = result.actions.find((a) => a.kind === "createConfigMap");
    expect(configMap).toMatchObject({
      configMap: {
        metadata: {
          name: logTailsConfigMapName("wf"),
          labels: { [LABEL_WORKFLOW]: "wf" },
          ownerReferences: [{ kind: "Workflow", uid: "uid-1" }],
        },
        data: { "wf.log": "failed step\n" },
      },
    });
    const pod = createdPods(result)[0];
    expect(pod?.spec?.containers[0]?.args).toEqual(['/onexit/logs ["/onexit/logs/wf.log"]']);
    expect(pod?.spec?.containers[0]?.volumeMounts).toContainEqual({
      name: "onexit-logs",
      mountPath: "/onexit/logs",
      readOnly: true,
    });
    expect(pod?.spec?.volumes).toContainEqual({
      name: "onexit-logs",
      configMap: { name: "wf-onexit-logs", optional: true },
    });
  });

  it("when a failed step left no report, then its log file says no log was captured", () => {
    const w = world(SEED);
    step(w);
    exit(w, "wf", 2, { report: false });
    const result = step(w);
    const configMap = result.actions.find((a) => a.kind === "createConfigMap");
    expect(configMap?.kind === "createConfigMap" && configMap.configMap.data?.["wf.log"]).toContain(
      "no log was captured",
    );
  });

  it("when workflow.failures is used and nothing failed, then it is an empty JSON list", () => {
    const w = world(SEED.replace("exit 1", "exit 0").replace("{{workflow.status}}", "{{workflow.failures}}"));
    step(w);
    succeed(w, "wf");
    expect(createdPods(step(w))[0]?.spec?.containers[0]?.args).toEqual(["echo Exit status: []"]);
  });

  it("when workflow.failures is used after a failure, then it lists the failed node in Argo's shape", () => {
    const w = world(SEED.replace("{{workflow.status}}", "{{workflow.failures}}"));
    step(w);
    fail(w, "wf");
    const args = createdPods(step(w))[0]?.spec?.containers[0]?.args?.[0] ?? "";
    const failures = JSON.parse(args.replace("echo Exit status: ", ""));
    expect(failures).toEqual([
      expect.objectContaining({
        displayName: "wf",
        message: "Error (exit code 1)",
        templateName: "step1",
        phase: "Failed",
        podName: "wf",
      }),
    ]);
  });

  it("when reconciling again on its own output, then nothing new is created and no event repeats", () => {
    const w = world(SEED);
    step(w);
    fail(w, "wf");
    step(w);
    const again = step(w);
    expect(again.actions).toEqual([]);
    expect(podNames(w)).toHaveLength(2);
  });
});
