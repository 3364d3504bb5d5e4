// The faults `make faults` injects, in the order it runs them. Each is real: a process killed
// with a signal, a Deployment scaled to zero, a pod deleted, a control-plane process killed and
// brought back by test/cluster/up.sh; the coordinator's own crash points are its failpoints.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAIN_CONTAINER, WAIT_CONTAINER } from "../common/names.ts";
import { FAILPOINTS, type FailpointName } from "../coordinator/failpoints.ts";
import { failpointsDir, installOnexit } from "../test/e2e/install-onexit.ts";
import { kubectl, waitFor } from "../test/e2e/kube.ts";
import {
  COORDINATOR,
  liveLeader,
  runningStepPod,
  scale,
  sleep,
  waitRollout,
  waitScaledDown,
  WEBHOOK,
} from "./cluster.ts";
import {
  clusterUp,
  containerPids,
  controlPlanePid,
  killPids,
  nodeKind,
  type NodeKind,
} from "./host-processes.ts";
import type { Fault, FaultContext } from "./run-fault.ts";
import { measureNamespaceDeletion } from "./namespace-deletion.ts";

/** Arms a failpoint; the coordinator that reaches it renames the file and SIGKILLs itself. */
export function armFailpoint(name: FailpointName): void {
  mkdirSync(failpointsDir(), { recursive: true });
  rmSync(join(failpointsDir(), `${name}.fired`), { force: true });
  writeFileSync(join(failpointsDir(), name), "");
}

/** Waits (bounded) for the armed failpoint to fire; disarms it either way. */
export async function awaitFailpoint(name: FailpointName, timeoutMs = 120_000): Promise<void> {
  const armed = join(failpointsDir(), name);
  try {
    await waitFor(() => existsSync(`${armed}.fired`), {
      timeoutMs,
      intervalMs: 200,
      description: `failpoint ${name} to fire (is ONEXIT_FAILPOINTS_DIR=${failpointsDir()} set on the coordinator?)`,
    });
  } finally {
    rmSync(armed, { force: true });
    rmSync(`${armed}.fired`, { force: true });
  }
}

function failpointFault(name: FailpointName, what: string): Fault {
  return {
    name: `coordinator SIGKILL ${what}`,
    before: async () => armFailpoint(name),
    inject: async (ctx) => {
      await awaitFailpoint(name);
      ctx.log(`failpoint ${name} fired: the leader killed itself`);
    },
    after: async () => rmSync(join(failpointsDir(), name), { force: true }),
  };
}

async function killInEachWorkflow(ctx: FaultContext, container: string): Promise<void> {
  for (const workflow of ctx.names) {
    const pod = await runningStepPod(ctx.ns, workflow);
    const pids = containerPids(pod, container);
    if (killPids(pids) === 0)
      throw new Error(`no process of container ${container} found for pod ${pod.metadata.name}`);
  }
  ctx.log(`${container} killed in ${ctx.names.length} pods`);
}

async function downFor(deployment: string, ms: number, ctx: FaultContext): Promise<void> {
  scale(deployment, 0);
  await waitScaledDown(deployment);
  ctx.log(`${deployment} scaled to 0 for ${ms / 1000} s`);
  await sleep(ms);
  scale(deployment, 2);
  waitRollout(deployment);
}

/** Kills a control-plane process (by its pid file) once the first workflow's step runs; up.sh restarts it. */
async function restartControlPlane(name: string, ctx: FaultContext): Promise<void> {
  await runningStepPod(ctx.ns, ctx.names[0] ?? "");
  const pid = controlPlanePid(name);
  if (pid === undefined) throw new Error(`no ${name} process (pid file in $ONEXIT_STATE)`);
  killPids([pid]);
  ctx.log(`${name} (pid ${pid}) killed`);
  await sleep(3000);
  clusterUp();
  ctx.log(`${name} back (test/cluster/up.sh)`);
}

export interface CatalogOptions {
  /** Workflows under the repeated leader kills. */
  load: number;
  /** Workflows per fault. */
  workflows: number;
  /** The local cluster's node, whose own processes are killed (default: the running one's). */
  node?: NodeKind;
}

function restartFault(component: string, name = `${component} SIGKILLed and restarted`): Fault {
  return { name, script: "sleep 5", inject: (ctx) => restartControlPlane(component, ctx) };
}

/** The node's own processes: the agent, or the kubelet and containerd (whose shims keep the
 * containers running while it is down). */
function nodeFaults(node: NodeKind): Fault[] {
  return node === "agent"
    ? [restartFault("agent", "node agent SIGKILLed and restarted")]
    : [restartFault("kubelet"), restartFault("containerd")];
}

export function catalog({ load, workflows, node = nodeKind() }: CatalogOptions): Fault[] {
  return [
    failpointFault(FAILPOINTS.beforePod, "before the first pod create"),
    failpointFault(FAILPOINTS.afterPod, "between pod create and status write"),
    failpointFault(FAILPOINTS.beforeHandlerPod, "between last step end and handler create"),
    failpointFault(FAILPOINTS.afterHandlerPod, "between handler create and status write"),
    {
      name: "leader killed 3 times under load",
      workflows: load,
      script: "sleep 1",
      inject: async (ctx) => {
        let lastKill = 0;
        for (let kill = 1; kill <= 3; kill++) {
          await sleep(10_000);
          const leader = await liveLeader(lastKill);
          killPids([leader.pid]);
          lastKill = Date.now();
          ctx.log(`kill ${kill}: leader ${leader.pod} (pid ${leader.pid}) SIGKILLed`);
        }
      },
    },
    {
      name: "both coordinators down 20 s",
      inject: (ctx) => downFor(COORDINATOR, 20_000, ctx),
      after: async () => {
        scale(COORDINATOR, 2);
        waitRollout(COORDINATOR);
      },
    },
    {
      name: "webhook down 20 s (failurePolicy Fail)",
      before: async () => {
        scale(WEBHOOK, 0);
        await waitScaledDown(WEBHOOK);
      },
      inject: async (ctx) => {
        await sleep(20_000);
        scale(WEBHOOK, 2);
        waitRollout(WEBHOOK);
        ctx.log("webhook back");
      },
      after: async () => {
        scale(WEBHOOK, 2);
        waitRollout(WEBHOOK);
      },
    },
    {
      name: "webhook down 20 s (failurePolicy Ignore)",
      before: async () => {
        installOnexit(["--set", "webhook.failurePolicy=Ignore"]);
        scale(WEBHOOK, 0);
        await waitScaledDown(WEBHOOK);
      },
      inject: async () => {
        await sleep(20_000);
      },
      // The chart's values again: failurePolicy Fail, two webhook replicas.
      after: async () => installOnexit(),
    },
    {
      name: "wait sidecar SIGKILLed",
      script: "sleep 8",
      inject: (ctx) => killInEachWorkflow(ctx, WAIT_CONTAINER),
    },
    {
      name: "main SIGKILLed",
      script: "sleep 8",
      inject: (ctx) => killInEachWorkflow(ctx, MAIN_CONTAINER),
    },
    {
      name: "step pod deleted out of band",
      script: "sleep 8",
      inject: async (ctx) => {
        for (const workflow of ctx.names) {
          const pod = await runningStepPod(ctx.ns, workflow);
          kubectl(["-n", ctx.ns, "delete", "pod", pod.metadata.name, "--wait=false"]);
        }
        ctx.log(`a step pod deleted in each of ${ctx.names.length} workflows`);
      },
    },
    {
      name: "namespace at its pod quota (pods=2)",
      // Two pods at a time: a few workflows are enough to queue most creates behind the quota.
      workflows: Math.min(workflows, 4),
      script: "sleep 1",
      namespace: { podQuota: 2 },
    },
    {
      // Workflow pods need no RBAC at all (the sidecar reads through the coordinator's pod
      // proxy); this row is a namespace that has never seen onexit before.
      name: "namespace without onexit RBAC",
      timeoutMs: 150_000,
    },
    ...nodeFaults(node),
    restartFault("kube-apiserver", "API server SIGKILLed and restarted"),
    {
      name: "namespace deleted mid-run",
      script: "sleep 6",
      inject: async (ctx) => {
        await runningStepPod(ctx.ns, ctx.names[0] ?? "");
        kubectl(["delete", "namespace", ctx.ns, "--wait=false"]);
        ctx.log(`namespace ${ctx.ns} deleted`);
      },
      measure: measureNamespaceDeletion,
      note: "asserts only that nothing is stuck; the finalizer release on namespace deletion is on another branch",
    },
  ];
}
