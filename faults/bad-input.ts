// Bad input at volume, in the real cluster: generated AdmissionReviews POSTed to the webhook,
// reports POSTed to the coordinator (without a token, with a bogus one, with a real one minted
// for a running workflow pod), reports for another pod, replays of a stored report, and broken
// Workflows created through the API server. Each must be refused clearly, change no stored
// state (snapshot of the fixture pods' annotations and workflows' statuses before and after),
// and crash nothing (restart counts of onexit's pods unchanged).
import fc from "fast-check";
import { ANNOTATION_REPORT, LABEL_WORKFLOW, REPORT_PATH } from "../common/names.ts";
import { isWorkflowDone } from "../common/types.ts";
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
import {
  badReview,
  brokenReport,
  brokenWorkflow,
  notAnObject,
  notJson,
  validReport,
  type PodRef,
} from "./generators.ts";
import { closeConnections, isClearRefusal, postRaw, type Answer } from "./https-post.ts";
import type { Row } from "./row.ts";

export interface BadInputOptions {
  runs: number;
  log: (line: string) => void;
  /** Which rows (by name fragment); all when empty. */
  only?: (name: string) => boolean;
}

interface Fixture {
  ns: string;
  /** Two running step pods (their sidecars still wait) and one finished pod with a stored report. */
  a: PodRef;
  b: PodRef;
  c: PodRef;
  storedReport: string;
  tokenA: string;
  tokenC: string;
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

type Check = (answer: Answer) => string | undefined;

const mustRefuse: Check = (answer) =>
  isClearRefusal(answer)
    ? undefined
    : `expected a 4xx with an error, got ${answer.status} ${answer.text.slice(0, 200)}`;

function mustBe(status: number): Check {
  return (answer) =>
    mustRefuse(answer) ?? (answer.status === status ? undefined : `expected ${status}, got ${answer.status}`);
}

/** A replay is acknowledged as a duplicate (the sidecar stops retrying) or refused; never stored. */
const duplicateOrRefused: Check = (answer) => {
  if (answer.status === 200 && (JSON.parse(answer.text) as { duplicate?: boolean }).duplicate === true)
    return undefined;
  return mustRefuse(answer);
};

interface HttpCase {
  body: string;
  headers: Record<string, string>;
  check: Check;
}

const json = (value: unknown): string => JSON.stringify(value) ?? "null";
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

function reportCases(f: Fixture): Record<string, fc.Arbitrary<HttpCase>> {
  const badBodies = fc.oneof(brokenReport(f.a).map(json), notAnObject.map(json), notJson);
  const otherPod = fc.oneof(
    fc.constantFrom(f.b, f.c).map((pod) => validReport(pod)),
    fc.integer({ min: 0, max: 255 }).map((code) => validReport({ ...f.a, podUid: f.b.podUid }, code)),
    fc.uuid().map((uid) => validReport({ ...f.b, podUid: uid })),
  );
  const stored = JSON.parse(f.storedReport) as Record<string, unknown>;
  return {
    "bad reports, no or bogus token": fc
      .tuple(
        fc.oneof(
          fc.constant<Record<string, string>>({}),
          fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,200}$/).map(bearer),
        ),
        fc.oneof(badBodies, fc.constant(json(validReport(f.a)))),
      )
      .map(([headers, body]) => ({ body, headers, check: mustRefuse })),
    "bad reports, valid token": badBodies.map((body) => ({
      body,
      headers: bearer(f.tokenA),
      check: mustRefuse,
    })),
    "reports for another pod": otherPod.map((report) => ({
      body: json(report),
      headers: bearer(f.tokenA),
      check: mustBe(403),
    })),
    "replayed reports": fc.oneof(
      fc.constant({ body: f.storedReport, headers: bearer(f.tokenC), check: duplicateOrRefused }),
      fc.integer({ min: 0, max: 255 }).map((exitCode) => ({
        body: json({ ...stored, exitCode }),
        headers: bearer(f.tokenC),
        check: duplicateOrRefused,
      })),
      fc.constant({ body: f.storedReport, headers: bearer(f.tokenA), check: mustBe(403) }),
    ),
  };
}

function admissionCases(): fc.Arbitrary<HttpCase> {
  const denial: (uid: string) => Check = (uid) => (answer) => {
    if (answer.status !== 200) return `expected a denial, got ${answer.status} ${answer.text.slice(0, 200)}`;
    const response = (
      JSON.parse(answer.text) as {
        response?: { uid?: string; allowed?: boolean; status?: { message?: string } };
      }
    ).response;
    return response?.uid === uid && response.allowed === false && (response.status?.message ?? "") !== ""
      ? undefined
      : `expected allowed=false with a message for uid ${uid}, got ${answer.text.slice(0, 200)}`;
  };
  return fc.oneof(
    badReview.map((review) => ({
      body: json(review.body),
      headers: {},
      check: review.kind === "pod" ? denial(review.uid) : mustRefuse,
    })),
    notJson.map((body) => ({ body, headers: {}, check: mustRefuse })),
    fc.string().map((body) => ({ body, headers: { "content-type": "text/plain" }, check: mustRefuse })),
  );
}

/** Runs `runs` generated requests; the first failing one (shrunk by fast-check) is the problem. */
async function httpProperty(url: string, cases: fc.Arbitrary<HttpCase>, runs: number): Promise<string[]> {
  const details = await fc.check(
    fc.asyncProperty(cases, async (c) => {
      const why = c.check(await postRaw(url, c.body, c.headers));
      if (why !== undefined) throw new Error(why);
    }),
    { numRuns: runs, endOnFailure: true },
  );
  if (!details.failed) return [];
  const example = JSON.stringify(details.counterexample?.[0]?.body ?? "").slice(0, 300);
  return [
    `${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}; input ${example}`,
  ];
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
