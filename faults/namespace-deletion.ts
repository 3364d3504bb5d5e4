// The namespace-deleted fault takes its workflows away with it, so it is measured while the
// namespace terminates: which handler pods ever appeared, and whether the namespace goes at all.
import { LABEL_ON_EXIT, LABEL_WORKFLOW } from "../common/names.ts";
import { kubectl } from "../test/e2e/kube.ts";
import { listPodsJson, listWorkflows, sleep } from "./cluster.ts";
import type { FaultContext } from "./run-fault.ts";
import type { Row } from "./row.ts";

const TIMEOUT_MS = 120_000;

export async function measureNamespaceDeletion(ctx: FaultContext): Promise<Row> {
  const handlers = new Map<string, Set<string>>(ctx.names.map((n) => [n, new Set<string>()]));
  const deadline = Date.now() + TIMEOUT_MS;
  let gone = false;
  let held: string[] = [];
  while (!gone && Date.now() < deadline) {
    try {
      for (const pod of listPodsJson(ctx.ns)) {
        const labels = pod.metadata.labels ?? {};
        if (labels[LABEL_ON_EXIT] === "true")
          handlers.get(labels[LABEL_WORKFLOW] ?? "")?.add(pod.metadata.name);
      }
      held = listWorkflows(ctx.ns)
        .filter((w) => (w.metadata.finalizers ?? []).length > 0)
        .map((w) => w.metadata.name ?? "");
      gone = kubectl(["get", "namespace", ctx.ns, "--ignore-not-found", "-o", "name"]).trim() === "";
    } catch {
      // the namespace went between two reads
    }
    if (!gone) await sleep(500);
  }
  const seen = [...handlers.values()];
  const handlersRun = seen.filter((s) => s.size > 0).length;
  const problems = gone
    ? []
    : [
        `namespace ${ctx.ns} still Terminating after ${TIMEOUT_MS / 1000}s; held by finalizers: ${held.join(", ")}`,
      ];
  ctx.log(gone ? "namespace gone" : (problems[0] ?? ""));
  return {
    fault: "namespace deleted mid-run",
    kind: "workflows",
    workflows: ctx.names.length,
    handlersRun,
    exactlyOnce: seen.filter((s) => s.size === 1).length,
    lost: ctx.names.length - handlersRun,
    stuck: gone ? 0 : 1 + held.length,
    worstDelayMs: null,
    ok: gone && seen.every((s) => s.size <= 1),
    problems,
  };
}
