// The conformance corpus (test/conformance/cases/*.yaml): every case runs in one namespace,
// CONCURRENCY at a time, each bounded by its own timeout; then one test per case compares the
// run with what Argo would do. `CONFORMANCE_CASES=a,b` runs only those cases.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differences, parseCase } from "../conformance/case.ts";
import type { ConformanceCase, Observed } from "../conformance/case.ts";
import { kubectl, uniqueNamespace, waitFor } from "./kube.ts";
import { createArtifactSecret } from "./artifact-store.ts";
import { getWorkflow, handlerPods, waitForPodsDone } from "./workflow-helpers.ts";
import type { Workflow } from "../../coordinator/engine/index.ts";

const CONCURRENCY = 8;
/** Beyond a case's own timeout: creating it, its pods finishing, reading logs. */
const OVERHEAD_SECONDS = 90;
const CASES_DIR = new URL("../conformance/cases/", import.meta.url);
/** The (Cluster)WorkflowTemplates cases reference, applied into the run's namespace first. */
const TEMPLATES_DIR = new URL("../conformance/templates/", import.meta.url);

const only = (process.env.CONFORMANCE_CASES ?? "").split(",").filter((n) => n !== "");
const cases: ConformanceCase[] = readdirSync(CASES_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => parseCase(f.replace(/\.yaml$/, ""), readFileSync(new URL(f, CASES_DIR), "utf8")))
  .filter((c) => only.length === 0 || only.includes(c.name));

interface Run {
  workflow?: string;
  observed: Observed;
  differences: string[];
  /** What explains a difference without the cluster: the workflow's and its failed nodes' messages. */
  context?: string[];
}

const runs = new Map<string, Run>();
let namespace = "";

function isFinal(phase: string | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed" || phase === "Error";
}

function create(manifest: string): { name: string } | { refusedWith: string } {
  try {
    const out = kubectl(["-n", namespace, "create", "-f", "-", "-o", "jsonpath={.metadata.name}"], {
      input: manifest,
    });
    return { name: out.trim() };
  } catch (error) {
    return { refusedWith: (error as Error).message };
  }
}

function podLog(pod: string): string {
  try {
    return kubectl(["-n", namespace, "logs", pod, "-c", "main"]);
  } catch (error) {
    return `(no log: ${(error as Error).message})`;
  }
}

/** What a finished (or timed-out) workflow shows: phase, nodes, the handler's and the named nodes' logs. */
function observe(workflow: Workflow, logsOf: string[]): Observed {
  const name = workflow.metadata?.name ?? "";
  const nodes = Object.values(workflow.status?.nodes ?? {});
  const exitPods = handlerPods(namespace, name)
    .map((p) => p.name)
    .sort();
  const logs: Record<string, string[]> = {};
  for (const displayName of logsOf) {
    logs[displayName] = nodes
      .filter((n) => n.displayName === displayName && n.podName !== undefined)
      .map((n) => podLog(n.podName!));
  }
  return {
    ...(workflow.status?.phase === undefined ? {} : { phase: workflow.status.phase }),
    ...(workflow.status?.message === undefined ? {} : { message: workflow.status.message }),
    nodes: nodes.map((n) => ({ displayName: n.displayName, phase: n.phase })),
    handlerLog: exitPods.map(podLog).join("\n"),
    logs,
  };
}

function explain(workflow: Workflow): string[] {
  const status = workflow.status;
  const failed = Object.values(status?.nodes ?? {}).filter(
    (n) => n.phase === "Failed" || n.phase === "Error",
  );
  return [
    `workflow ${status?.phase ?? "none"}: ${JSON.stringify(status?.message ?? "")}`,
    ...failed.map((n) => `node ${n.displayName} ${n.phase}: ${JSON.stringify(n.message ?? "")}`),
  ];
}

async function runCase(c: ConformanceCase): Promise<Run> {
  const created = create(c.manifest);
  if ("refusedWith" in created) {
    const observed: Observed = { refusedWith: created.refusedWith, nodes: [], handlerLog: "", logs: {} };
    return { observed, differences: differences(c.expect, observed) };
  }
  if (c.expect.refused !== undefined) {
    const observed: Observed = { nodes: [], handlerLog: "", logs: {} };
    return { workflow: created.name, observed, differences: differences(c.expect, observed) };
  }
  const timeoutMs = c.expect.timeoutSeconds * 1000;
  let workflow: Workflow;
  let unfinished: string | undefined;
  try {
    workflow = await waitFor(
      () => {
        const w = getWorkflow(namespace, created.name);
        return isFinal(w.status?.phase) ? w : undefined;
      },
      { timeoutMs, intervalMs: 1000, description: `workflow ${created.name} to finish` },
    );
    // The handler's log is complete once its pods have ended.
    await waitForPodsDone(namespace, created.name).catch(() => undefined);
  } catch {
    workflow = getWorkflow(namespace, created.name);
    unfinished = `not finished after ${c.expect.timeoutSeconds} s (phase ${workflow.status?.phase || "none"}, message ${JSON.stringify(workflow.status?.message ?? "")})`;
  }
  const observed = observe(workflow, Object.keys(c.expect.logs));
  const found = differences(c.expect, observed);
  return {
    workflow: created.name,
    observed,
    differences: unfinished ? [unfinished, ...found] : found,
    context: explain(workflow),
  };
}

async function runAll(): Promise<void> {
  const queue = [...cases];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      try {
        runs.set(c.name, await runCase(c));
      } catch (error) {
        const observed: Observed = { nodes: [], handlerLog: "", logs: {} };
        runs.set(c.name, { observed, differences: [`the run failed: ${(error as Error).message}`] });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, cases.length) }, worker));
}

/** A pool's worst case: the sum of its cases' bounds shared by the workers, plus the longest one. */
function poolBoundMs(): number {
  const bounds = cases.map((c) => (c.expect.timeoutSeconds + OVERHEAD_SECONDS) * 1000);
  return bounds.reduce((a, b) => a + b, 0) / CONCURRENCY + Math.max(0, ...bounds) + 60_000;
}

const conforms = (c: ConformanceCase): boolean => runs.get(c.name)?.differences.length === 0;

function report(c: ConformanceCase): string {
  const run = runs.get(c.name);
  const where = run?.workflow ? ` (kubectl -n ${namespace} get workflow ${run.workflow})` : "";
  const lines = [...(run?.differences ?? ["not run"]), ...(run?.context ?? []).map((l) => `(${l})`)];
  return `${c.name}${where}: ${c.expect.feature}\n  ${lines.join("\n  ")}`;
}

function applyTemplates(): void {
  for (const file of readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith(".yaml")))
    kubectl(["-n", namespace, "apply", "-f", "-"], {
      input: readFileSync(new URL(file, TEMPLATES_DIR), "utf8"),
    });
}

describe("conformance", () => {
  beforeAll(async () => {
    namespace = await uniqueNamespace("conformance");
    // The artifact cases' store credentials live beside the workflows (Argo's rule).
    createArtifactSecret(namespace);
    applyTemplates();
    await runAll();
  }, poolBoundMs());

  afterAll(() => {
    const passing = cases.filter(conforms).length;
    const gaps = cases.filter((c) => c.expect.expectedFailure !== undefined && !conforms(c));
    console.log(
      `${passing}/${cases.length} conformance cases pass` +
        (gaps.length > 0 ? `; known gaps: ${gaps.map((c) => c.name).join(", ")}` : ""),
    );
    // A namespace whose cases all behaved as recorded is not needed for debugging.
    const surprises = cases.filter((c) => conforms(c) === (c.expect.expectedFailure !== undefined));
    if (surprises.length === 0 && namespace !== "")
      kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  const runnable = cases.filter((c) => c.expect.expectedFailure === undefined);
  const gaps = cases.filter((c) => c.expect.expectedFailure !== undefined);

  it.each(runnable.map((c) => [c.name, c] as const))("case %s", (_name, c) => {
    if (!conforms(c)) expect.fail(`conformance case ${report(c)}`);
  });

  it.each(gaps.map((c) => [c.name, c] as const))("known gap %s", (_name, c) => {
    if (conforms(c))
      expect.fail(
        `conformance case ${c.name} now passes: remove its expected-failure (${c.expect.expectedFailure})`,
      );
  });
});
