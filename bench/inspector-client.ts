// Run inside a process's network namespace (nsenter --net=/proc/PID/ns/net): connects to the
// Node inspector that SIGUSR1 opened on 127.0.0.1:9229, starts the CPU profiler, prints
// "started", and on a line on stdin stops it, writes the profile to argv[2] and closes the
// inspector again (process._debugEnd), leaving the process as it was.
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";

const out = process.argv[2] ?? "coordinator.cpuprofile";
const port = Number(process.argv[3] ?? 9229);

async function targetUrl(): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
        webSocketDebuggerUrl: string;
      }[];
      if (list[0] !== undefined) return list[0].webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no inspector on 127.0.0.1:${port}`);
}

const socket = new WebSocket(await targetUrl());
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = reject;
});
let nextId = 1;
const pending = new Map<number, (result: unknown) => void>();
socket.onmessage = (event: MessageEvent): void => {
  const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
  if (message.id !== undefined) pending.get(message.id)?.(message.result);
};
function call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const id = nextId++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve) => pending.set(id, resolve));
}

await call("Profiler.enable");
await call("Profiler.setSamplingInterval", { interval: 500 });
await call("Profiler.start");
process.stdout.write("started\n");
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
const { profile } = (await call("Profiler.stop")) as { profile: unknown };
writeFileSync(out, JSON.stringify(profile));
process.stdout.write(`written ${out}\n`);
socket.send(
  JSON.stringify({ id: nextId++, method: "Runtime.evaluate", params: { expression: "process._debugEnd()" } }),
);
setTimeout(() => process.exit(0), 200);
