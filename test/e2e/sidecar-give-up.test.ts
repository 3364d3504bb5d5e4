// A sidecar that cannot do its job says why, through a real kubelet: the step's ServiceAccount is
// deleted while it runs (the controller makes a new `default` at once, under another uid, so the
// pod's token is refused from then on), the coordinator's pod proxy refuses the sidecar, which
// writes one line to /dev/termination-log and exits 1. The kubelet copies that line into the
// container's status; the coordinator puts it in the node's message and a SidecarFailed Event,
// and the exit handler still runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAIN_CONTAINER, WAIT_CONTAINER } from "../../common/names.ts";
import { kubectl, kubectlJson, uniqueNamespace, waitFor } from "./kube.ts";
import {
  createWorkflow,
  handlerPods,
  logs,
  oneStepWorkflow,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

interface ContainerStatus {
  name: string;
  state?: { running?: object; terminated?: { exitCode: number; message?: string } };
}

const statuses = (ns: string, pod: string): ContainerStatus[] =>
  kubectlJson<{ status?: { containerStatuses?: ContainerStatus[] } }>(["-n", ns, "get", "pod", pod]).status
    ?.containerStatuses ?? [];

describe("sidecar give-up", () => {
  let ns = "";
  beforeAll(async () => {
    ns = await uniqueNamespace("give-up");
  });
  afterAll(() => {
    if (ns !== "") kubectl(["delete", "namespace", ns, "--wait=false", "--ignore-not-found"]);
  });

  it("when a running step's ServiceAccount is deleted, then the sidecar's reason reaches its status, the node's message and an Event, and the handler runs", async () => {
    const name = createWorkflow(
      ns,
      oneStepWorkflow({ prefix: "give-up", step: "echo started; sleep 60", handler: "echo handler ran" }),
    );
    await waitFor(
      () => {
        const running = statuses(ns, name).filter((s) => s.state?.running !== undefined);
        return (
          running
            .map((s) => s.name)
            .sort()
            .join() === `${MAIN_CONTAINER},${WAIT_CONTAINER}`
        );
      },
      { timeoutMs: 120_000, description: `both containers of ${name} running` },
    );
    kubectl(["-n", ns, "delete", "serviceaccount", "default"]);

    const workflow = await waitForWorkflowDone(ns, name, 240_000);
    await waitForPodsDone(ns, name);
    const wait = statuses(ns, name).find((s) => s.name === WAIT_CONTAINER)?.state?.terminated;
    expect(wait).toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/refused: .*token not accepted/),
    });
    const reason = wait?.message?.trim() ?? "";
    expect(workflow.status?.nodes?.[name]?.message).toMatch(new RegExp(`sidecar: ${escape(reason)}$`));
    const events = kubectlJson<{ items: { involvedObject: { name: string }; message: string }[] }>([
      "-n",
      ns,
      "get",
      "events",
      "--field-selector",
      "reason=SidecarFailed",
    ]).items;
    expect(events.map((e) => [e.involvedObject.name, e.message])).toEqual([
      [name, `Step ${name} (pod ${name}): sidecar: ${reason}`],
    ]);
    const [handler] = handlerPods(ns, name);
    expect(handler).toBeDefined();
    expect(logs(ns, handler!.name, MAIN_CONTAINER)).toBe("handler ran\n");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
