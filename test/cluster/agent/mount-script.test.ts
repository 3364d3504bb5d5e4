import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandLine } from "./container-process.ts";
import { containerMounts, mountScript, shellQuote, type Mount } from "./mount-script.ts";

describe("containerMounts", () => {
  const dirs = new Map([
    ["data", "/state/v/data"],
    ["out", "/state/v/out"],
  ]);

  it("when mounts use subPath and subPathExpr, then sources are joined and parents sort first", () => {
    const mounts = containerMounts(
      {
        name: "c",
        volumeMounts: [
          { name: "out", mountPath: "/a/b/c", subPathExpr: "$(POD)" },
          { name: "data", mountPath: "/a", subPath: "d1", readOnly: true },
        ],
      },
      dirs,
      { POD: "p1" },
    );
    expect(mounts).toEqual([
      { source: "/state/v/data/d1", target: "/a", readOnly: true },
      { source: "/state/v/out/p1", target: "/a/b/c", readOnly: false },
    ]);
  });

  it("when a subPath escapes the volume or the volume is unknown, then it is an error", () => {
    expect(
      containerMounts(
        { name: "c", volumeMounts: [{ name: "data", mountPath: "/x", subPath: "../etc" }] },
        dirs,
        {},
      ),
    ).toBeInstanceOf(Error);
    expect(
      containerMounts({ name: "c", volumeMounts: [{ name: "nope", mountPath: "/x" }] }, dirs, {}),
    ).toBeInstanceOf(Error);
  });
});

describe("mountScript", () => {
  const input = {
    mounts: [
      { source: "/state/v/tmp", target: "/tmp", readOnly: false },
      { source: "/tmp/state/v/sa", target: "/var/run/secrets/sa", readOnly: true },
      { source: "/tmp/state/v/out/p0", target: "/tmp/x.txt", readOnly: false },
    ],
    hostsFile: "/tmp/state/hosts",
    hostname: "pod",
    stageDir: "/tmp/state/stage/main",
    workingDir: "/w",
  };
  const lines = mountScript(input).split("\n");
  const first = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix));
  const last = (prefix: string): number => lines.findLastIndex((l) => l.startsWith(prefix));

  it("when rendered, then every source is held before the first mount, /etc/hosts last", () => {
    expect(lines.filter((l) => l.startsWith("hold "))).toEqual([
      "hold '/state/v/tmp' 0",
      "hold '/tmp/state/v/sa' 1",
      "hold '/tmp/state/v/out/p0' 2",
      "hold '/tmp/state/hosts' 3",
    ]);
    expect(last("hold ")).toBeLessThan(first('exec 3<"$S"'));
    expect(first('exec 3<"$S"')).toBeLessThan(first("m "));
    expect(lines.filter((l) => l.startsWith("m "))).toEqual([
      "m 0 '/tmp' rw '/state/v/tmp'",
      "m 1 '/var/run/secrets/sa' ro '/tmp/state/v/sa'",
      "m 2 '/tmp/x.txt' rw '/tmp/state/v/out/p0'",
      "m 3 '/etc/hosts' rw '/tmp/state/hosts'",
    ]);
  });

  it("when rendered, then the held sources are closed before the command, which runs in workingDir", () => {
    expect(last("m ")).toBeLessThan(first("exec 3<&-"));
    expect(first("exec 3<&-")).toBeLessThan(first("cd '/w'"));
    expect(lines.at(-1)).toBe('exec "$@"');
    expect(lines).toContain("S='/tmp/state/stage/main'");
  });

  it("when a path has a quote, then it is escaped", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

// The real thing, where the agent can run it (root, util-linux): a volume mounted over the
// directory that holds the other sources, a file subPath onto a file, a read-only mount.
const canMount = process.getuid?.() === 0 && spawnSync("unshare", ["--mount", "true"]).status === 0;

describe.runIf(canMount)("the mount script in a mount namespace", () => {
  let base: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "onexit-mounts-"));
    for (const dir of ["src/empty", "src/sa", "app"]) mkdirSync(join(base, dir), { recursive: true });
    writeFileSync(join(base, "src/sa/token"), "tok");
    writeFileSync(join(base, "src/p0"), "");
    writeFileSync(join(base, "src/hosts"), "127.0.0.1 pod\n");
    writeFileSync(join(base, "app/run.sh"), "echo ran");
  });

  afterAll(() => rmSync(base, { recursive: true, force: true }));

  function run(mounts: Mount[], command: string): { status: number | null; stdout: string; stderr: string } {
    const script = mountScript({
      mounts,
      hostsFile: join(base, "src/hosts"),
      hostname: "pod",
      stageDir: join(base, "src/stage"),
    });
    const [cmd = "", ...args] = commandLine({ netns: "", script, argv: ["sh", "-c", command] });
    return spawnSync(cmd, args, { encoding: "utf8" });
  }

  it("when a mount covers the directory of later sources, then they are still mounted", () => {
    const result = run(
      [
        { source: join(base, "src/empty"), target: base, readOnly: false },
        { source: join(base, "src/sa"), target: join(base, "secrets"), readOnly: true },
      ],
      `cat ${base}/secrets/token; ls ${base}; echo x > ${base}/secrets/token || echo read-only`,
    );
    expect(result.stderr).toContain("Read-only file system");
    expect(result.stdout.split("\n")).toEqual(["toksecrets", "read-only", ""]);
  });

  it("when a file subPath is mounted beside the program, then both are there and the write lands in the volume", () => {
    const result = run(
      [{ source: join(base, "src/p0"), target: join(base, "app/out.json"), readOnly: false }],
      `sh ${base}/app/run.sh; echo 42 > ${base}/app/out.json; cat /etc/hosts`,
    );
    expect(result.stdout).toBe("ran\n127.0.0.1 pod\n");
    expect(readFileSync(join(base, "src/p0"), "utf8")).toBe("42\n");
  });
});
