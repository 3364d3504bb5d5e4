// One container attempt: a process group in the pod's network namespace and its own mount namespace.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogWriter } from "./log-writer.ts";

export interface ContainerProcessSpec {
  netns: string;
  argv: readonly string[];
  env: Record<string, string>;
  script: string;
  log: LogWriter;
}

export interface ProcessExit {
  exitCode: number;
  signal?: number;
}

export interface ContainerProcess {
  readonly pid: number;
  readonly done: Promise<ProcessExit>;
  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals): void;
}

/** The full command line: `ip netns exec <ns>` (unless host network) + `unshare` + the mount script. */
export function commandLine(spec: Pick<ContainerProcessSpec, "netns" | "argv" | "script">): string[] {
  const netns = spec.netns ? ["ip", "netns", "exec", spec.netns] : [];
  const unshare = ["unshare", "--mount", "--uts", "--propagation", "private"];
  return [...netns, ...unshare, "sh", "-c", spec.script, "onexit-container", ...spec.argv];
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

export function startContainerProcess(spec: ContainerProcessSpec): ContainerProcess {
  const [cmd = "unshare", ...args] = commandLine(spec);
  const child = spawn(cmd, args, {
    detached: true,
    env: spec.env,
    cwd: "/",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid ?? 0;
  const logged = Promise.all([
    spec.log.attach("stdout", child.stdout),
    spec.log.attach("stderr", child.stderr),
  ]).catch(() => undefined);
  const exited = new Promise<ProcessExit>((resolve) => {
    child.on("error", (err) => {
      spec.log.note("stderr", `onexit-agent: cannot start container: ${err.message}`);
      resolve({ exitCode: 128 });
    });
    child.on("exit", (code, signal) => {
      const signo = signal ? constants.signals[signal] : undefined;
      resolve(signo !== undefined ? { exitCode: 128 + signo, signal: signo } : { exitCode: code ?? 128 });
    });
  });
  const done = exited.then(async (exit) => {
    // Anything the command left behind in its process group dies with it.
    if (pid > 0) killGroup(pid, "SIGKILL");
    await Promise.race([logged, sleep(2000)]);
    return exit;
  });
  return {
    pid,
    done,
    kill(signal): void {
      if (pid > 0) killGroup(pid, signal);
    },
  };
}
