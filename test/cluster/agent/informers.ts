// client-node informers over the agent's JSON client, restarted after errors.
import { makeInformer, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { KubeClient } from "./kube-client.ts";

export interface Handlers<T> {
  add?: (obj: T) => void;
  update?: (obj: T) => void;
  delete?: (obj: T) => void;
}

export interface RunningInformer<T> {
  list(): readonly T[];
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 2000;

function guard<T>(what: string, fn: ((obj: T) => void) | undefined): (obj: T) => void {
  return (obj) => {
    try {
      fn?.(obj);
    } catch (err) {
      console.error(`${what} handler: ${(err as Error).stack ?? String(err)}`);
    }
  };
}

/** Lists then watches `path`; resolves after the first list was delivered. */
export async function startInformer<T extends KubernetesObject>(
  client: KubeClient,
  path: string,
  handlers: Handlers<T>,
): Promise<RunningInformer<T>> {
  const listFn = (): Promise<KubernetesListObject<T>> => client.request<KubernetesListObject<T>>("GET", path);
  const informer = makeInformer<T>(client.kubeConfig, path, listFn);
  let stopped = false;
  informer.on("add", guard(path, handlers.add));
  informer.on("update", guard(path, handlers.update));
  informer.on("delete", guard(path, handlers.delete));
  informer.on("error", (err: unknown) => {
    if (stopped) return;
    console.error(
      `informer ${path}: ${(err as Error)?.message ?? String(err)}; restarting in ${RESTART_DELAY_MS} ms`,
    );
    setTimeout(() => {
      if (!stopped) informer.start().catch(() => undefined);
    }, RESTART_DELAY_MS);
  });
  for (;;) {
    try {
      await informer.start();
      break;
    } catch (err) {
      console.error(`informer ${path}: ${(err as Error).message}; retrying`);
      await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
    }
  }
  return {
    list: () => informer.list(),
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}
