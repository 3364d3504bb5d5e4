// A conformance case: one Workflow file whose leading comment block is YAML stating what Argo
// would do with it. The file stays a plain manifest (`kubectl create -f` ignores the comments).
// Pure: parsing a case and comparing what a run observed with what the case expects.
import { parse } from "yaml";
import { z } from "zod";

export const DEFAULT_TIMEOUT_SECONDS = 120;

/** A node's phase, or `Absent`: no node has that displayName (a step never started). */
const NODE_EXPECTATIONS = ["Succeeded", "Failed", "Error", "Skipped", "Omitted", "Absent"] as const;
const WORKFLOW_PHASES = ["Succeeded", "Failed", "Error"] as const;

/** A line of a log: equal to a line (trailing blanks ignored), or `/regex/` matching one. */
const expectedLine = z.string().min(1);

const header = z
  .object({
    feature: z.string().min(1),
    doc: z.string().min(1).optional(),
    refused: expectedLine.optional(),
    phase: z.enum(WORKFLOW_PHASES).optional(),
    message: expectedLine.optional(),
    handler: z.array(expectedLine).min(1).optional(),
    nodes: z.record(z.string(), z.enum(NODE_EXPECTATIONS)).optional(),
    logs: z.record(z.string(), z.array(expectedLine).min(1)).optional(),
    timeout: z.number().int().positive().optional(),
    "expected-failure": z.string().min(1).optional(),
  })
  .strict()
  .refine((h) => (h.refused === undefined) === (h.phase !== undefined && h.handler !== undefined), {
    message: "either refused, or phase and handler (and nothing that needs a run) are required",
  })
  .refine((h) => h.refused === undefined || (!h.message && !h.nodes && !h.logs && !h.timeout), {
    message: "a refused case has no message, nodes, logs or timeout",
  });

export interface CaseExpectation {
  /** The Argo feature the case shows, in a few words. */
  feature: string;
  /** The page of Argo's documentation the case is written from. */
  doc?: string;
  /** `kubectl create` must fail with a line so (equal, or `/regex/`); nothing runs. */
  refused?: string;
  /** The workflow's final phase (unset only when the case is refused). */
  phase?: (typeof WORKFLOW_PHASES)[number];
  /** The workflow's status.message: equal, or `/regex/`. */
  message?: string;
  /** Lines the exit handlers' pods printed (the workflow's and the steps' and tasks' exit hooks). */
  handler: string[];
  /** Node displayName → phase (every node with that displayName has it), or `Absent` (none has it). */
  nodes: Record<string, string>;
  /** Node displayName → lines its pod printed (some node with that name must print them all). */
  logs: Record<string, string[]>;
  timeoutSeconds: number;
  /** Set when onexit is known to differ from Argo here: the reason. */
  expectedFailure?: string;
}

export interface ConformanceCase {
  name: string;
  expect: CaseExpectation;
  /** The whole file, header included, as kubectl takes it. */
  manifest: string;
}

/** The leading `#` lines, `# ` stripped: the header's YAML text. */
export function headerText(text: string): string {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("#")) break;
    lines.push(line.replace(/^# ?/, ""));
  }
  return lines.join("\n");
}

/** Parses a case file; throws naming the case and what is wrong with it. */
export function parseCase(name: string, text: string): ConformanceCase {
  const fail = (why: string): never => {
    throw new Error(`conformance case ${name}: ${why}`);
  };
  const yaml = (what: string, source: string, version: "1.1" | "1.2" = "1.2"): unknown => {
    try {
      return parse(source, { version }) as unknown;
    } catch (error) {
      return fail(`${what} is not YAML: ${(error as Error).message.split("\n")[0]}`);
    }
  };
  const raw: unknown = yaml("the header", headerText(text)) ?? {};
  const parsed = header.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "header"}: ${i.message}`);
    fail(`bad header (${issues.join("; ")})`);
  }
  const h = parsed.data!;
  const body = yaml("the file", text) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; generateName?: unknown };
  } | null;
  // kubectl reads YAML 1.1, where `n`, `y`, `on`, `off` are booleans and `0777` is octal.
  if (JSON.stringify(yaml("the file", text, "1.1")) !== JSON.stringify(body))
    fail(
      "the file reads differently as YAML 1.1 (as kubectl reads it): quote n, y, on, off, yes, no, octal numbers",
    );
  if (body?.apiVersion !== "argoproj.io/v1alpha1" || body.kind !== "Workflow")
    fail("the document is not an argoproj.io/v1alpha1 Workflow");
  if (typeof body?.metadata?.generateName !== "string" || body.metadata.name !== undefined)
    fail("the Workflow must have metadata.generateName and no name (cases run more than once)");
  for (const line of [h.refused, h.message, ...(h.handler ?? []), ...Object.values(h.logs ?? {}).flat()]) {
    if (line !== undefined && isRegex(line)) {
      try {
        new RegExp(line.slice(1, -1));
      } catch (error) {
        fail(`bad regex ${line}: ${(error as Error).message}`);
      }
    }
  }
  return {
    name,
    manifest: text,
    expect: {
      feature: h.feature,
      ...(h.doc === undefined ? {} : { doc: h.doc }),
      ...(h.refused === undefined ? {} : { refused: h.refused }),
      ...(h.phase === undefined ? {} : { phase: h.phase }),
      ...(h.message === undefined ? {} : { message: h.message }),
      handler: h.handler ?? [],
      nodes: h.nodes ?? {},
      logs: h.logs ?? {},
      timeoutSeconds: h.timeout ?? DEFAULT_TIMEOUT_SECONDS,
      ...(h["expected-failure"] === undefined ? {} : { expectedFailure: h["expected-failure"] }),
    },
  };
}

function isRegex(expected: string): boolean {
  return expected.length >= 2 && expected.startsWith("/") && expected.endsWith("/");
}

/** Whether one text matches an expected line: equal (trailing blanks aside), or `/regex/`. */
export function matchesLine(expected: string, actual: string): boolean {
  if (isRegex(expected)) return new RegExp(expected.slice(1, -1)).test(actual);
  return actual.trimEnd() === expected.trimEnd();
}

function logLines(log: string): string[] {
  return log.split("\n").filter((l) => l.trim() !== "");
}

/** What one run of a case showed. */
export interface Observed {
  /** What `kubectl create` said when it refused the workflow. */
  refusedWith?: string;
  phase?: string;
  message?: string;
  nodes: { displayName: string; phase?: string }[];
  /** Every exit-handler pod's log (workflow, step and task exit hooks), concatenated. */
  handlerLog: string;
  /** displayName → the logs of the pods of the nodes so named (one entry per node). */
  logs: Record<string, string[]>;
}

/** The differences between a run and its case, one readable line each; empty when it conforms. */
export function differences(expect: CaseExpectation, observed: Observed): string[] {
  if (expect.refused !== undefined) {
    if (observed.refusedWith === undefined)
      return [`create: expected a refusal ${expect.refused}, it was created`];
    const said = logLines(observed.refusedWith);
    return said.some((l) => matchesLine(expect.refused!, l))
      ? []
      : [`create: expected a refusal ${expect.refused}, got ${JSON.stringify(said)}`];
  }
  if (observed.refusedWith !== undefined) return [`create: refused: ${observed.refusedWith}`];
  const out: string[] = [];
  if (observed.phase !== expect.phase)
    out.push(`workflow phase: expected ${expect.phase}, got ${observed.phase ?? "none"}`);
  if (expect.message !== undefined && !matchesLine(expect.message, observed.message ?? ""))
    out.push(`workflow message: expected ${expect.message}, got ${JSON.stringify(observed.message ?? "")}`);
  const handlerLines = logLines(observed.handlerLog);
  for (const line of expect.handler) {
    if (!handlerLines.some((l) => matchesLine(line, l)))
      out.push(`exit handler: no line ${JSON.stringify(line)} in ${JSON.stringify(handlerLines)}`);
  }
  for (const [displayName, phase] of Object.entries(expect.nodes)) {
    const nodes = observed.nodes.filter((n) => n.displayName === displayName);
    if (phase === "Absent") {
      if (nodes.length > 0)
        out.push(`node ${displayName}: expected none, got ${nodes.map((n) => n.phase).join(", ")}`);
      continue;
    }
    if (nodes.length === 0) out.push(`node ${displayName}: expected ${phase}, there is no such node`);
    const wrong = nodes.filter((n) => n.phase !== phase).map((n) => n.phase ?? "none");
    if (wrong.length > 0) out.push(`node ${displayName}: expected ${phase}, got ${wrong.join(", ")}`);
  }
  for (const [displayName, lines] of Object.entries(expect.logs)) {
    const logs = observed.logs[displayName] ?? [];
    const matching = logs.some((log) => lines.every((e) => logLines(log).some((l) => matchesLine(e, l))));
    if (!matching)
      out.push(
        `log of ${displayName}: expected lines ${JSON.stringify(lines)}, got ${JSON.stringify(logs.map(logLines))}`,
      );
  }
  return out;
}
