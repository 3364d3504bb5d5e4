// Forked by sampler-client.ts: samples every periodMs between "start" and "stop" messages.
import { availableParallelism } from "node:os";
import type { ProcessRef } from "./processes.ts";
import { createSampler } from "./sampler.ts";

interface StartMessage {
  type: "start";
  refs: ProcessRef[];
  sidecarNamespace: string;
  periodMs: number;
}

const sampler = createSampler(availableParallelism());
let timer: NodeJS.Timeout | undefined;

interface StopMessage {
  type: "stop";
  /** Keep sampling until this phase's sidecars have exited, at most this long. */
  lingerMs: number;
}

async function linger(ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && sampler.liveSidecars() > 0) await new Promise((r) => setTimeout(r, 100));
}

process.on("message", async (message: StartMessage | StopMessage) => {
  if (message.type === "start") {
    sampler.start(message.refs, message.sidecarNamespace);
    timer = setInterval(() => sampler.tick(), message.periodMs);
    process.send?.({ type: "started" });
    return;
  }
  await linger(message.lingerMs);
  clearInterval(timer);
  process.send?.({ type: "usage", usage: sampler.stop() });
});
process.on("disconnect", () => process.exit(0));
