// Issue 4 end to end: the webhook injects `wait`, the sidecar captures and reports, the
// coordinator accepts only reports from the pod a token is bound to.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { kubectl, kubectlJson, waitFor } from "./kube.ts";
import {
  E2E_NAMESPACE as ns,
  createWorkflow,
  oneStepWorkflow,
  getWorkflow,
  handlerPods,
  logs,
  podsOfWorkflow,
  runPodWithCoordinatorToken,
  waitForPodsDone,
  waitForWorkflowDone,
} from "./workflow-helpers.ts";

function oneStep(prefix: string, step: string): string {
  return oneStepWorkflow({ prefix, step, handler: "echo handler {{workflow.status}}" });
}

function storyField(story: string, message: string, field: string): string | undefined {
  const line = story.split("\n").find((l) => l.includes(`msg=${message}`) || l.includes(`msg="${message}"`));
  return line?.match(new RegExp(`\\b${field}=("[^"]*"|\\S+)`))?.[1]?.replace(/"/g, "");
}

/** On the local test cluster pods are host processes; on another cluster this finds none. */
function hostPidsOf(pod: string, component: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (
        !cmdline.includes(`bin/onexit.ts\0${component}`) &&
        !cmdline.includes(`bin/onexit.js\0${component}`)
      )
        continue;
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(`POD_NAME=${pod}`))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The test cluster's node agent runs pods as processes of this host. */
function onLocalTestCluster(): boolean {
  return kubectl(["get", "nodes", "-o", "name"]).split("\n").includes("node/onexit-node");
}

describe("sidecar and webhook", () => {
  it("when a step runs, then its pod has main and wait, and both logs tell the story", async () => {
    const name = createWorkflow(ns, oneStep("story", "echo line one; echo line two; exit 4"));
    const workflow = await waitForWorkflowDone(ns, name);
    await waitForPodsDone(ns, name);
    const step = podsOfWorkflow(ns, name).find((p) => p.name === name)!;
    expect(step.containers).toEqual(["main", "wait"]);
    expect(step.annotations["kubectl.kubernetes.io/default-container"]).toBe("main");
    expect(step.annotations["onexit.dev/injected"]).toBeDefined();

    expect(logs(ns, name)).toBe("line one\nline two\n");
    const story = logs(ns, name, "wait");
    expect(storyField(story, "main exited", "exitCode")).toBe("4");
    expect(storyField(story, "log captured", "bytes")).toBe("18");
    expect(storyField(story, "reported", "attempt")).toBeDefined();

    const node = workflow.status?.nodes?.[name];
    expect(node?.phase).toBe("Failed");
    expect(node?.message).toBe("Error (exit code 4)");
    expect(node?.outputs?.exitCode).toBe("4");
    expect(node?.logBytes).toBe(18);
    const report = JSON.parse(step.annotations["onexit.dev/report"]!) as {
      logTail: string;
      exitCode: number;
    };
    expect(report).toMatchObject({ exitCode: 4, logTail: "line one\nline two\n" });
  });

  it("when a pod has no workflow label, then the webhook leaves it alone", async () => {
    kubectl([
      "-n",
      ns,
      "run",
      "plain-pod",
      "--image=alpine:3.20",
      "--restart=Never",
      "--command",
      "--",
      "sh",
      "-c",
      "true",
    ]);
    const pod = kubectlJson<{
      spec: { containers: { name: string }[] };
      metadata: { annotations?: Record<string, string> };
    }>(["-n", ns, "get", "pod", "plain-pod"]);
    kubectl(["-n", ns, "delete", "pod", "plain-pod", "--wait=false"]);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(["plain-pod"]);
    expect(pod.metadata.annotations?.["onexit.dev/injected"]).toBeUndefined();
  });

  it("when a report comes with another pod's token, then it is refused with 403 and nothing changes", async () => {
    const name = createWorkflow(ns, oneStep("forged", "echo honest; exit 0"));
    const before = await waitForWorkflowDone(ns, name);
    await waitForPodsDone(ns, name);
    const victim = kubectlJson<{ metadata: { uid: string; annotations: Record<string, string> } }>([
      "-n",
      ns,
      "get",
      "pod",
      name,
    ]);
    const forged = {
      podName: name,
      podUid: victim.metadata.uid,
      namespace: ns,
      exitCode: 1,
      reason: "Error",
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:01Z",
      logBytes: 6,
      logLines: 1,
      logTail: "forged",
    };
    // An ordinary pod in the same namespace, with a token of the coordinator's audience bound to itself.
    const attacker = `forger-${Date.now()}`;
    const out = await runPodWithCoordinatorToken({
      namespace: ns,
      name: attacker,
      script:
        `wget -q -S -O- --no-check-certificate --header "Authorization: Bearer $(cat /var/run/forge/token)" ` +
        `--header "Content-Type: application/json" --post-data '${JSON.stringify(forged)}' ` +
        `https://onexit-coordinator.onexit.svc/v1/reports 2>&1 || curl -sk -o /dev/null -w 'HTTP/%{http_version} %{http_code}' ` +
        `-H "Authorization: Bearer $(cat /var/run/forge/token)" -H "Content-Type: application/json" ` +
        `-d '${JSON.stringify(forged)}' https://onexit-coordinator.onexit.svc/v1/reports`,
    });
    kubectl(["-n", ns, "delete", "pod", attacker, "--wait=false"]);
    expect(out).toMatch(/ 403\b/);

    const after = kubectlJson<{ metadata: { annotations: Record<string, string> } }>([
      "-n",
      ns,
      "get",
      "pod",
      name,
    ]);
    expect(after.metadata.annotations["onexit.dev/report"]).toBe(
      victim.metadata.annotations["onexit.dev/report"],
    );
    expect(getWorkflow(ns, name).status?.nodes).toEqual(before.status?.nodes);
  });

  // Killing one container's process from outside needs the pods to be host processes.
  it.skipIf(!onLocalTestCluster())(
    "when the sidecar is killed before it reports, then the step result comes from pod status and the handler runs",
    async () => {
      const name = createWorkflow(ns, oneStep("killed", "sleep 6; echo late; exit 5"));
      const pids = await waitFor(
        () => hostPidsOf(name, "sidecar").length > 0 && hostPidsOf(name, "sidecar"),
        {
          timeoutMs: 120_000,
          intervalMs: 250,
          description: "the sidecar process (local test cluster only)",
        },
      );
      for (const pid of pids) process.kill(pid, "SIGKILL");
      const workflow = await waitForWorkflowDone(ns, name);
      const node = workflow.status?.nodes?.[name];
      expect(node?.phase).toBe("Failed");
      expect(node?.message).toBe("Error (exit code 5)");
      const step = podsOfWorkflow(ns, name).find((p) => p.name === name)!;
      expect(step.annotations["onexit.dev/report"]).toBeUndefined();
      const [handler] = handlerPods(ns, name);
      expect(handler).toBeDefined();
      await waitForPodsDone(ns, name);
      expect(logs(ns, handler!.name)).toContain("handler Failed");
    },
  );

  it("when main writes 200 MB of logs, then the sidecar counts them all and its peak RSS stays under 80 MiB", async () => {
    const line = "x".repeat(99);
    const name = createWorkflow(ns, oneStep("loud", `yes ${line} | head -c 200000000; echo; exit 0`));
    const workflow = await waitForWorkflowDone(ns, name, 600_000);
    await waitForPodsDone(ns, name);
    const story = logs(ns, name, "wait");
    expect(storyField(story, "log captured", "bytes")).toBe("200000001");
    expect(workflow.status?.nodes?.[name]?.logBytes).toBe(200_000_001);
    const peak = Number(storyField(story, "done", "peakRssMiB"));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(80);
  });
});
