// The generated HTTP requests of the bad-input rows and what a right answer to each is:
// reports to the coordinator (no token, a bogus one, a real one for the wrong pod, replays) and
// AdmissionReviews to the webhook. Each must be refused clearly.
import fc from "fast-check";
import { badReview, brokenReport, notAnObject, notJson, validReport, type PodRef } from "./generators.ts";
import { isClearRefusal, postRaw, type Answer } from "./https-post.ts";

/** The fixture pods a report can name, the token of one of them, and a report already stored. */
export interface ReportTargets {
  /** Two running step pods (their sidecars still wait) and one finished pod with a stored report. */
  a: PodRef;
  b: PodRef;
  c: PodRef;
  storedReport: string;
  tokenA: string;
  tokenC: string;
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

export interface HttpCase {
  body: string;
  headers: Record<string, string>;
  check: Check;
}

const json = (value: unknown): string => JSON.stringify(value) ?? "null";
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export function reportCases(f: ReportTargets): Record<string, fc.Arbitrary<HttpCase>> {
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

export function admissionCases(): fc.Arbitrary<HttpCase> {
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
export async function httpProperty(
  url: string,
  cases: fc.Arbitrary<HttpCase>,
  runs: number,
): Promise<string[]> {
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
