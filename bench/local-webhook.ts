// onexit's webhook server as a child process on 127.0.0.1 with a throwaway certificate, and
// the AdmissionReview body to send it.
import { fork } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { admissionReview } from "./admission-body.ts";
import { selfSignedCert } from "./tls.ts";

export interface LocalWebhook {
  url: string;
  /** The server's own /metrics (plain HTTP on 127.0.0.1). */
  metricsUrl: string;
  bodyFile: string;
  pid: number;
  /** Stops the server (a --cpu-prof profile is written then) and removes its files. */
  close(): Promise<void>;
}

export async function startLocalWebhook(namespace: string, execArgv: string[] = []): Promise<LocalWebhook> {
  const tls = selfSignedCert();
  const bodyFile = join(tls.dir, "review.json");
  writeFileSync(bodyFile, JSON.stringify(admissionReview("bench-step", namespace)));
  const child = fork(new URL("./webhook-server.ts", import.meta.url).pathname, [], {
    execArgv,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    env: {
      ...process.env,
      ONEXIT_TLS_CERT_FILE: tls.cert,
      ONEXIT_TLS_KEY_FILE: tls.key,
      ONEXIT_COORDINATOR_CA_FILE: tls.cert,
    },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { port, metricsPort } = await new Promise<{ port: number; metricsPort: number }>(
    (resolve, reject) => {
      child.once("message", resolve);
      void exited.then(() => reject(new Error("webhook server exited before listening")));
    },
  );
  return {
    url: `https://127.0.0.1:${port}/mutate`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    bodyFile,
    pid: child.pid ?? 0,
    close: async () => {
      child.disconnect();
      await exited;
      rmSync(tls.dir, { recursive: true, force: true });
    },
  };
}
