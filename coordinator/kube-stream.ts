// Raw streaming GETs against the API server with the coordinator's kubeconfig credentials,
// for the sidecar pod proxy: client-node's typed calls buffer whole bodies, a followed log must not be.
import { Agent, request as httpsRequest, type RequestOptions } from "node:https";
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import type { OpenApiStream } from "./pod-proxy.ts";

export function kubeStreamOpener(kc: KubeConfig): OpenApiStream {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 16 });
  return async (path, signal) => {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error("no current cluster in the kubeconfig");
    const options: RequestOptions = {};
    // Re-applied every time: in a cluster the service-account token file rotates.
    await kc.applyToHTTPSOptions(options);
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    const plain = url.protocol === "http:";
    const send = plain ? httpRequest : httpsRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { ...options, agent: plain ? false : agent, method: "GET", signal }, resolve);
      req.on("error", reject);
      req.end();
    });
  };
}
