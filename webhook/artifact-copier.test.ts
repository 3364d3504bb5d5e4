import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ArtifactPlan } from "../common/artifact-plan.ts";
import { ARTIFACTS_MOUNT_PATH } from "../common/artifact-plan.ts";
import { copierCommand, copierScript, shellQuote } from "./artifact-copier.ts";

const BUSYBOX = "/bin/busybox";

function planOf(outputs: ArtifactPlan["outputs"]): ArtifactPlan {
  return { outputs, inputs: [] };
}

/** The script with the artifacts volume moved to a temporary directory, busybox copied there. */
function sandbox(plan: ArtifactPlan): { root: string; script: string } {
  const root = mkdtempSync(join(tmpdir(), "copier-"));
  mkdirSync(join(root, "bin"));
  mkdirSync(join(root, "out"));
  copyFileSync(BUSYBOX, join(root, "bin/busybox"));
  return { root, script: copierScript(plan).replaceAll(ARTIFACTS_MOUNT_PATH, root) };
}

describe("copierCommand", () => {
  it("when main has a command, then it follows the copier's script and $0, and paths are quoted", () => {
    const plan = planOf([{ name: "a", path: "/tmp/it's", key: "k", archive: "tgz", optional: false }]);
    const command = copierCommand(plan, ["python", "-c"]);
    expect(command.slice(0, 3)).toEqual(["/onexit/artifacts/bin/busybox", "sh", "-c"]);
    expect(command.slice(4)).toEqual(["onexit-copier", "python", "-c"]);
    expect(command[3]).toContain(`save out/0 ${shellQuote("/tmp/it's")} tgz`);
    expect(shellQuote("/tmp/it's")).toBe(`'/tmp/it'\\''s'`);
  });
});

describe.skipIf(!existsSync(BUSYBOX))("the copier run by busybox sh", () => {
  it("when the command exits, then directories are tar+gzip'd, files kept as they are, absences explained, and its exit code kept", () => {
    const data = mkdtempSync(join(tmpdir(), "copier-data-"));
    mkdirSync(join(data, "dir/sub"), { recursive: true });
    writeFileSync(join(data, "dir/sub/f"), "hi\n");
    writeFileSync(join(data, "f.txt"), "file\n");
    const { root, script } = sandbox(
      planOf([
        { name: "d", path: join(data, "dir"), key: "k", archive: "tgz", optional: false },
        { name: "f", path: join(data, "f.txt"), key: "k", archive: "none", optional: false },
        { name: "m", path: join(data, "missing"), key: "k", archive: "tgz", optional: false },
        { name: "n", path: join(data, "dir"), key: "k", archive: "none", optional: false },
      ]),
    );
    const run = spawnSync(BUSYBOX, ["sh", "-c", script, "onexit-copier", "sh", "-c", "echo out; exit 3"], {
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
    });
    expect(run.stdout).toBe("out\n");
    expect(run.status).toBe(3);
    const listing = spawnSync("tar", ["-tzf", join(root, "out/0")], { encoding: "utf8" }).stdout;
    expect(listing.split("\n").filter(Boolean).sort()).toEqual(["dir/", "dir/sub/", "dir/sub/f"]);
    expect(readFileSync(join(root, "out/1"), "utf8")).toBe("file\n");
    expect(readFileSync(join(root, "out/2.err"), "utf8")).toBe(
      `${join(data, "missing")}: no such file or directory\n`,
    );
    expect(readFileSync(join(root, "out/3.err"), "utf8")).toMatch(/is a directory/);
  });

  it("when the command's name is also a busybox applet, then main's own program on PATH runs", () => {
    const bin = mkdtempSync(join(tmpdir(), "copier-bin-"));
    writeFileSync(join(bin, "cat"), "#!/bin/sh\necho image-cat\n", { mode: 0o755 });
    const { script } = sandbox(planOf([]));
    const run = spawnSync(BUSYBOX, ["sh", "-c", script, "onexit-copier", "cat"], {
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });
    expect(run.stdout).toBe("image-cat\n");
    const missing = spawnSync(BUSYBOX, ["sh", "-c", script, "onexit-copier", "no-such-program"], {
      encoding: "utf8",
      env: { PATH: bin },
    });
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain("no-such-program: executable file not found in PATH");
  });

  it("when the copier gets SIGTERM, then the command gets it, and its outputs are still archived", async () => {
    const data = mkdtempSync(join(tmpdir(), "copier-term-"));
    writeFileSync(join(data, "partial"), "so far\n");
    const { root, script } = sandbox(
      planOf([{ name: "p", path: join(data, "partial"), key: "k", archive: "none", optional: false }]),
    );
    const child = spawn(
      BUSYBOX,
      [
        "sh",
        "-c",
        script,
        "onexit-copier",
        "sh",
        "-c",
        "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 1; done",
      ],
      { env: { PATH: "/usr/bin:/bin" } },
    );
    let stdout = "";
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("ready")) resolve();
      }),
    );
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(stdout).toContain("got-term");
    expect(code).toBe(7);
    expect(readFileSync(join(root, "out/0"), "utf8")).toBe("so far\n");
  });
});
