// Bad input at volume, in the real cluster: generated AdmissionReviews POSTed to the webhook,
// reports POSTed to the coordinator (without a token, with a bogus one, with a real one minted
// for a running workflow pod), reports for another pod, replays of a stored report, and broken
// Workflows created through the API server. Each must be refused clearly, change no stored
// state (snapshot of the fixture pods' annotations and workflows' statuses before and after),
// and crash nothing (restart counts of onexit's pods unchanged).
import fc from "fast-check";
import { ANNOTATION_REPORT, LABEL_WORKFLOW, REPORT_PATH } from "../common/names.ts";
import { isWorkflowDone } from "../coordinator/engine/index.ts";
import { createApi, ApiError, type Api } from "../bench/api.ts";
import { RELEASE_NAMESPACE } from "../test/e2e/install-onexit.ts";
import { kubectl, waitFor } from "../test/e2e/kube.ts";
import {
  COORDINATOR,
  createWorkflows,
  deleteAndCountStuck,
  deleteWorkflowsThenNamespace,
  faultNamespace,
  listPodsJson,
  listWorkflows,
  onexitRestarts,
  runningStepPod,
  sleep,
  waitAllFinal,
  WEBHOOK,
} from "./cluster.ts";
import { brokenWorkflow, type PodRef } from "./generators.ts";
import { closeConnections } from "./https-post.ts";
import { admissionCases, httpProperty, reportCases, type ReportTargets } from "./http-cases.ts";
import type { Row } from "./row.ts";

export interface BadInputOptions {
  runs: number;
  log: (line: string) => void;
  /** Which rows (by name fragment); all when empty. */
  only?: (name: string) => boolean;
}

interface Fixture extends ReportTargets {
  ns: string;
  reportsUrl: string;
  mutateUrl: string;
}

function serviceUrl(service: string, path: string): string {
  const ip = kubectl([
    "-n",
    RELEASE_NAMESPACE,
    "get",
    "service",
    service,
    "-o",
    "jsonpath={.spec.clusterIP}",
  ]).trim();
  return `https://${ip}:443${path}`;
}

/** A token exactly like the sidecar's: audience onexit-coordinator, bound to the pod. */
function tokenFor(pod: PodRef): string {
  return kubectl([
    "-n",
    pod.namespace,
    "create",
    "token",
    "default",
    "--audience",
    "onexit-coordinator",
    "--bound-object-kind",
    "Pod",
    "--bound-object-name",
    pod.podName,
    "--bound-object-uid",
    pod.podUid,
  ]).trim();
}

async function setUp(log: (line: string) => void): Promise<Fixture> {
  const ns = await faultNamespace("bad-input");
  const running = createWorkflows(ns, "run", 2, "sleep 900");
  const done = createWorkflows(ns, "done", 1, "true");
  const ref = async (workflow: string): Promise<PodRef> => {
    const pod = await runningStepPod(ns, workflow);
    return { namespace: ns, podName: pod.metadata.name, podUid: pod.metadata.uid };
  };
  const [a, b] = [await ref(running[0] ?? ""), await ref(running[1] ?? "")];
  await waitAllFinal(ns, done, 120_000, log);
  const stored = listPodsJson(ns).find(
    (p) => p.metadata.labels?.[LABEL_WORKFLOW] === done[0] && p.metadata.annotations?.[ANNOTATION_REPORT],
  );
  if (stored === undefined) throw new Error(`no pod of ${done[0]} holds a stored report`);
  const c = { namespace: ns, podName: stored.metadata.name, podUid: stored.metadata.uid };
  return {
    ns,
    a,
    b,
    c,
    storedReport: stored.metadata.annotations?.[ANNOTATION_REPORT] ?? "",
    tokenA: tokenFor(a),
    tokenC: tokenFor(c),
    reportsUrl: serviceUrl(COORDINATOR, REPORT_PATH),
    mutateUrl: serviceUrl(WEBHOOK, "/mutate"),
  };
}

/** What must not change: the fixture pods' annotations and the workflows' statuses. */
function snapshot(ns: string): string {
  const pods = listPodsJson(ns)
    .map((p) => [p.metadata.name, p.metadata.annotations ?? {}] as const)
    .sort(([x], [y]) => x.localeCompare(y));
  const workflows = listWorkflows(ns)
    .map((w) => [w.metadata.name, w.status ?? {}] as const)
    .sort(([x], [y]) => String(x).localeCompare(String(y)));
  return JSON.stringify({ pods, workflows });
}

/** Waits until two snapshots a few seconds apart agree (the running fixtures have settled). */
async function settled(ns: string): Promise<string> {
  return waitFor(
    async () => {
      const first = snapshot(ns);
      await sleep(3000);
      return snapshot(ns) === first ? first : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 0, description: `the fixture workflows in ${ns} to settle` },
  );
}

function inputRow(fault: string, runs: number, problems: string[]): Row {
  return {
    fault,
    kind: "input",
    workflows: runs,
    handlersRun: null,
    exactlyOnce: null,
    lost: null,
    stuck: 0,
    worstDelayMs: null,
    ok: problems.length === 0,
    problems: problems.slice(0, 5),
  };
}

/** Broken Workflows: refused by the API server naming the field, or final in Error naming it, no pod. */
async function workflowRow(
  api: Api,
  ns: string,
  runs: number,
  log: (line: string) => void,
): Promise<string[]> {
  const problems: string[] = [];
  const accepted = new Map<string, string>();
  for (const { spec, field } of fc.sample(brokenWorkflow, runs)) {
    const body = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { generateName: "bad-" },
      spec,
    };
    try {
      const created = await api.post<{ metadata: { name: string } }>(
        `/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflows`,
        body,
      );
      accepted.set(created.metadata.name, field);
    } catch (err) {
      const message = (err as Error).message;
      // The API server's own words, after "POST <path>: <status> " (the path names the namespace).
      const answer = err instanceof ApiError ? message.slice(message.indexOf(` ${err.status} `)) : message;
      if (!(err instanceof ApiError) || err.status >= 500 || !answer.includes(field))
        problems.push(`refusal does not name ${field}: ${message.slice(0, 200)}`);
    }
  }
  log(
    `${runs - accepted.size} refused by the API server, ${accepted.size} accepted; waiting for them to end in Error`,
  );
  await waitAllFinal(ns, [...accepted.keys()], 300_000, log);
  const podsOf = new Set(listPodsJson(ns).map((p) => p.metadata.labels?.[LABEL_WORKFLOW]));
  for (const w of listWorkflows(ns)) {
    const field = accepted.get(w.metadata.name ?? "");
    if (field === undefined) continue;
    const message = w.status?.message ?? "";
    if (!isWorkflowDone(w.status?.phase) || w.status?.phase !== "Error" || !message.includes(field))
      problems.push(
        `${w.metadata.name}: ${w.status?.phase ?? "no phase"} "${message}" does not name ${field}`,
      );
    if (podsOf.has(w.metadata.name))
      problems.push(`${w.metadata.name}: a pod was created for a broken workflow`);
  }
  return problems;
}

export async function badInputRows(options: BadInputOptions): Promise<Row[]> {
  const { runs, log } = options;
  const wanted = options.only ?? (() => true);
  const f = await setUp(log);
  const api = await createApi();
  const rows: Row[] = [];
  const guarded = async (fault: string, run: () => Promise<string[]>): Promise<void> => {
    if (!wanted(fault)) return;
    const before = await settled(f.ns);
    const restarts = JSON.stringify([...onexitRestarts()]);
    log(`${fault}: ${runs} generated inputs`);
    // The snapshots above run kubectl synchronously: a kept-alive socket the server closed
    // meanwhile would be reused before its close is seen ("socket hang up").
    closeConnections();
    const problems = await run().catch((err: unknown) => [`runner error: ${(err as Error).message}`]);
    if (snapshot(f.ns) !== before)
      problems.push("stored state changed (pod annotations or workflow statuses)");
    if (JSON.stringify([...onexitRestarts()]) !== restarts) problems.push("an onexit pod restarted");
    rows.push(inputRow(fault, runs, problems));
  };
  try {
    await guarded("bad AdmissionReviews", () => httpProperty(f.mutateUrl, admissionCases(), runs));
    for (const [fault, cases] of Object.entries(reportCases(f)))
      await guarded(fault, () => httpProperty(f.reportsUrl, cases, runs));
    if (wanted("bad Workflows")) {
      const wfNs = await faultNamespace("bad-workflows");
      const restarts = JSON.stringify([...onexitRestarts()]);
      log(`bad Workflows: ${runs} generated specs`);
      const problems = await workflowRow(api, wfNs, runs, log);
      if (JSON.stringify([...onexitRestarts()]) !== restarts) problems.push("an onexit pod restarted");
      const { stuck, detail } = await deleteAndCountStuck(wfNs);
      if (detail !== "") problems.push(detail);
      rows.push({ ...inputRow("bad Workflows via the API server", runs, problems), stuck });
    }
  } finally {
    api.close();
    closeConnections();
    await deleteWorkflowsThenNamespace(f.ns).catch((err: unknown) =>
      log(`cleanup: ${(err as Error).message}`),
    );
  }
  return rows;
}
