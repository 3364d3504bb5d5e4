// Sends a pod's status to the API server: debounced, one request at a time, skipped when unchanged.
import { setTimeout as sleep } from "node:timers/promises";
import { isStatus, KubeError, type KubeClient } from "./kube-client.ts";
import type { PodCondition } from "./pod-status.ts";

export type BuildStatus = (previous: ReadonlyMap<string, PodCondition>) => Record<string, unknown>;

export class StatusReporter {
  private readonly client: KubeClient;
  private readonly path: string;
  private readonly build: BuildStatus;
  private conditions = new Map<string, PodCondition>();
  private lastSent = "";
  private dirty = false;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(client: KubeClient, namespace: string, name: string, build: BuildStatus) {
    this.client = client;
    this.path = `/api/v1/namespaces/${namespace}/pods/${name}/status`;
    this.build = build;
  }

  /** Marks the status dirty; a send follows shortly. */
  schedule(): void {
    this.dirty = true;
    if (this.running === undefined && !this.closed)
      this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Resolves when everything scheduled so far was sent (or given up). */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  close(): void {
    this.closed = true;
  }

  private async loop(): Promise<void> {
    await sleep(30);
    while (this.dirty && !this.closed) {
      this.dirty = false;
      const status = this.build(this.conditions);
      const text = JSON.stringify(status);
      if (text === this.lastSent) continue;
      try {
        await this.client.request("PATCH", this.path, {
          body: { status },
          contentType: "application/merge-patch+json",
        });
        this.lastSent = text;
        this.conditions = new Map((status.conditions as PodCondition[]).map((c) => [c.type, c]));
      } catch (err) {
        if (isStatus(err, 404)) return;
        console.error(`status ${this.path}: ${(err as Error).message}`);
        // A rejected status (4xx other than 409/429) would be rejected again: wait for the next change.
        if (
          err instanceof KubeError &&
          err.status >= 400 &&
          err.status < 500 &&
          ![409, 429].includes(err.status)
        )
          continue;
        this.dirty = true;
        await sleep(1000);
      }
    }
  }
}
