// The sidecar's two API calls, bound to a KubeConfig: the pod watch and main's log stream.
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import type { IncomingMessage } from "node:http";
import { request as plainRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { OpenLog } from "./log-follower.ts";
import type { WatchFn } from "./pod-watcher.ts";

export function kubeWatch(kc: KubeConfig): WatchFn {
  const watch = new Watch(kc);
  return (path, query, onEvent, onDone) => watch.watch(path, query, onEvent, onDone);
}

async function readSome(res: IncomingMessage, limit: number): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    text += String(chunk);
    if (text.length >= limit) break;
  }
  return text.slice(0, limit);
}

/** GET pods/log?follow=true for one container; resolves with the body stream once the status is 200. */
export function kubeLogOpener(
  kc: KubeConfig,
  pod: { namespace: string; name: string },
  container: string,
): OpenLog {
  return async (signal) => {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error("no current cluster in the kubeconfig");
    const path = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}/log`;
    const url = new URL(cluster.server + path);
    url.searchParams.set("container", container);
    url.searchParams.set("follow", "true");
    const options: RequestOptions = { method: "GET", signal };
    await kc.applyToHTTPSOptions(options);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === "http:" ? plainRequest : httpsRequest;
      const req = send(url, options, resolve);
      req.on("error", reject);
      req.end();
    });
    if (res.statusCode !== 200) {
      const detail = await readSome(res, 300);
      res.destroy();
      throw new Error(`pods/log answered ${res.statusCode}: ${detail}`);
    }
    return res;
  };
}
