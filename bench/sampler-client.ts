// The bench's handle on the sampler process: start a phase, stop it and get its usage.
import { fork, type ChildProcess } from "node:child_process";
import type { ProcessRef } from "./processes.ts";
import type { Usage } from "./sampler.ts";

export interface SamplerClient {
  start(refs: ProcessRef[], sidecarNamespace?: string): Promise<void>;
  /** Ends the phase once its sidecars have exited (waiting at most lingerMs). */
  stop(lingerMs?: number): Promise<Usage>;
  close(): void;
  pid: number;
}

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      resolve(message as T);
    };
    child.on("message", onMessage);
  });
}

export function startSampler(periodMs = 200): SamplerClient {
  const child = fork(new URL("./sampler-child.ts", import.meta.url).pathname, [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return {
    async start(refs, sidecarNamespace = "") {
      const started = next(child, "started");
      child.send({ type: "start", refs, sidecarNamespace, periodMs });
      await started;
    },
    async stop(lingerMs = 0) {
      const usage = next<{ usage: Usage }>(child, "usage");
      child.send({ type: "stop", lingerMs });
      return (await usage).usage;
    },
    close: () => child.disconnect(),
    pid: child.pid ?? 0,
  };
}
