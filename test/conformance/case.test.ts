import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_TIMEOUT_SECONDS, differences, headerText, matchesLine, parseCase } from "./case.ts";
import type { CaseExpectation, Observed } from "./case.ts";

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: c- }
spec: { entrypoint: main, templates: [{ name: main, container: { image: alpine:3.20 } }] }
`;

const file = (header: string, body = WORKFLOW): string =>
  header
    .trim()
    .split("\n")
    .map((l) => `# ${l}`)
    .join("\n") + `\n${body}`;

const expectation = (more: Partial<CaseExpectation> = {}): CaseExpectation => ({
  feature: "f",
  phase: "Succeeded",
  handler: ["status=Succeeded"],
  nodes: {},
  logs: {},
  timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
  ...more,
});

const observed = (more: Partial<Observed> = {}): Observed => ({
  phase: "Succeeded",
  nodes: [],
  handlerLog: "status=Succeeded\n",
  logs: {},
  ...more,
});

describe("headerText", () => {
  it("when a file starts with comments, then their text without '# ' is the header, up to the first other line", () => {
    expect(headerText("# a: 1\n#b: 2\n#\napiVersion: x\n# c: 3\n")).toBe("a: 1\nb: 2\n");
  });
});

describe("parseCase", () => {
  it("when the header has every key, then each is read", () => {
    const c = parseCase(
      "all",
      file(`
feature: loops
doc: docs/walk-through/loops.md
phase: Failed
message: /exit code 1/
handler: [status=Failed]
nodes: { a: Succeeded }
logs: { a: [hi] }
timeout: 30
expected-failure: onexit differs
`),
    );
    expect(c.name).toBe("all");
    expect(c.expect).toEqual({
      feature: "loops",
      doc: "docs/walk-through/loops.md",
      phase: "Failed",
      message: "/exit code 1/",
      handler: ["status=Failed"],
      nodes: { a: "Succeeded" },
      logs: { a: ["hi"] },
      timeoutSeconds: 30,
      expectedFailure: "onexit differs",
    });
    expect(c.manifest).toContain("kind: Workflow");
  });

  it("when only the required keys are given, then the rest defaults", () => {
    const c = parseCase("min", file("feature: f\nphase: Succeeded\nhandler: [ok]"));
    expect(c.expect).toEqual(expectation({ handler: ["ok"] }));
  });

  it("when the header says refused, then no phase or handler is needed", () => {
    const c = parseCase("r", file("feature: f\nrefused: /spec.synchronization/"));
    expect(c.expect).toEqual({
      feature: "f",
      refused: "/spec.synchronization/",
      handler: [],
      nodes: {},
      logs: {},
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    });
  });

  it.each([
    ["no header", "", /feature/],
    ["an unknown key", "feature: f\nphase: Succeeded\nhandler: [x]\nphases: {}", /phases/],
    ["a phase that is not final", "feature: f\nphase: Running\nhandler: [x]", /phase/],
    ["no handler line", "feature: f\nphase: Succeeded\nhandler: []", /handler/],
    [
      "a node phase that does not exist",
      "feature: f\nphase: Succeeded\nhandler: [x]\nnodes: { a: Done }",
      /nodes\.a/,
    ],
    ["no handler", "feature: f\nphase: Succeeded", /either refused/],
    ["refused and a phase", "feature: f\nrefused: x\nphase: Error\nhandler: [x]", /either refused/],
    ["refused and nodes", "feature: f\nrefused: x\nnodes: { a: Error }", /a refused case/],
    [
      "text YAML cannot read",
      "feature: a: b\nphase: Succeeded\nhandler: [x]",
      /the header is not YAML: Nested/,
    ],
    ["a bad regex", "feature: f\nphase: Succeeded\nhandler: ['/(/']", /bad regex/],
  ])("when the header has %s, then the case is refused naming it", (_what, header, why) => {
    expect(() => parseCase("bad", file(header))).toThrow(why);
    expect(() => parseCase("bad", file(header))).toThrow(/conformance case bad/);
  });

  it("when the document is not a Workflow or has a fixed name, then the case is refused", () => {
    const h = "feature: f\nphase: Succeeded\nhandler: [x]";
    expect(() => parseCase("p", file(h, "apiVersion: v1\nkind: Pod\n"))).toThrow(/not an argoproj/);
    expect(() => parseCase("n", file(h, WORKFLOW.replace("generateName: c-", "name: c")))).toThrow(
      /generateName/,
    );
  });

  it("when the Workflow holds a word YAML 1.1 reads as a boolean, then the case is refused", () => {
    const h = "feature: f\nphase: Succeeded\nhandler: [x]";
    expect(() => parseCase("b", file(h, WORKFLOW.replace("name: main,", "name: n,")))).toThrow(/YAML 1.1/);
  });

  it("when the corpus is read, then every case in it parses", () => {
    const dir = new URL("./cases/", import.meta.url);
    const names = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) parseCase(name, readFileSync(new URL(name, dir), "utf8"));
  });
});

describe("matchesLine", () => {
  it("when the expectation is text, then the whole line must equal it, trailing blanks aside", () => {
    expect(matchesLine("a b", "a b  ")).toBe(true);
    expect(matchesLine("a", "a b")).toBe(false);
  });

  it("when the expectation is /regex/, then the regex must match the line", () => {
    expect(matchesLine("/^a.c$/", "abc")).toBe(true);
    expect(matchesLine("/x/", "abc")).toBe(false);
  });
});

describe("differences", () => {
  it("when the run matches, then there is none", () => {
    expect(differences(expectation(), observed())).toEqual([]);
  });

  it("when the phase or the message differ, then each is named with both values", () => {
    expect(
      differences(
        expectation({ message: "/code 2/" }),
        observed({ phase: "Failed", message: "exit code 1" }),
      ),
    ).toEqual([
      "workflow phase: expected Succeeded, got Failed",
      'workflow message: expected /code 2/, got "exit code 1"',
    ]);
  });

  it("when a handler line is missing, then it is named with what the handler printed", () => {
    expect(differences(expectation(), observed({ handlerLog: "status=Failed\n" }))).toEqual([
      'exit handler: no line "status=Succeeded" in ["status=Failed"]',
    ]);
  });

  it("when a node is missing or any node of that name has another phase, then it is named", () => {
    const nodes = [
      { displayName: "a", phase: "Succeeded" },
      { displayName: "a", phase: "Failed" },
    ];
    expect(
      differences(expectation({ nodes: { a: "Succeeded", b: "Skipped" } }), observed({ nodes })),
    ).toEqual(["node a: expected Succeeded, got Failed", "node b: expected Skipped, there is no such node"]);
  });

  it("when a refusal is expected, then create must have been refused with a matching line", () => {
    const refusal = expectation({ refused: "/^spec.x: not supported/", handler: [] });
    delete refusal.phase;
    expect(
      differences(refusal, observed({ refusedWith: "error: x\nspec.x: not supported by onexit" })),
    ).toEqual([]);
    expect(differences(refusal, observed({ refusedWith: "denied" }))).toEqual([
      'create: expected a refusal /^spec.x: not supported/, got ["denied"]',
    ]);
    expect(differences(refusal, observed())).toEqual([
      "create: expected a refusal /^spec.x: not supported/, it was created",
    ]);
  });

  it("when a run is expected and create was refused, then that is the difference", () => {
    expect(differences(expectation(), observed({ refusedWith: "denied" }))).toEqual([
      "create: refused: denied",
    ]);
  });

  it("when a node is expected Absent, then any node of that name is a difference", () => {
    const nodes = [{ displayName: "a", phase: "Succeeded" }];
    expect(differences(expectation({ nodes: { a: "Absent" } }), observed({ nodes }))).toEqual([
      "node a: expected none, got Succeeded",
    ]);
  });

  it("when some node of that name printed every expected line, then its log conforms", () => {
    const expect_ = expectation({ logs: { a: ["x", "/^y+$/"] } });
    expect(differences(expect_, observed({ logs: { a: ["x\n", "x\nyy\n"] } }))).toEqual([]);
    expect(differences(expect_, observed({ logs: { a: ["x\n"] } }))).toEqual([
      'log of a: expected lines ["x","/^y+$/"], got [["x"]]',
    ]);
  });
});
