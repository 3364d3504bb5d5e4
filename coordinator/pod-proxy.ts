// The I/O shell of the sidecar's pod proxy (rules in pod-proxy-access.ts): authenticate the
// bearer token (cached TokenReview, audience onexit-coordinator), read the pod, then relay the
// API server's answer byte for byte with the coordinator's own credentials. Nothing is
// buffered: a followed log or a watch flows through as it comes, and ends when either side does.
import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import type { V1Pod, V1TokenReviewStatus } from "@kubernetes/client-node";
import type { Request, RequestHandler, Response } from "express";
import { errorMessage, type Logger } from "../common/log.ts";
import { REPORT_AUDIENCE } from "../common/names.ts";
import { apiErrorMessage } from "./kube-client.ts";
import type { CoordinatorMetrics } from "./metrics.ts";
import {
  authorizeProxy,
  boundPod,
  parseProxyRequest,
  upstreamPath,
  type Refusal,
} from "./pod-proxy-access.ts";
import { bearerToken } from "./report-handler.ts";

/** GET `path` (with query) from the API server with the coordinator's credentials; resolves with the open response. */
export type OpenApiStream = (path: string, signal: AbortSignal) => Promise<IncomingMessage>;

export interface PodProxyOptions {
  reviewToken: (token: string, audiences: string[]) => Promise<V1TokenReviewStatus>;
  getPod: (namespace: string, name: string) => Promise<V1Pod | undefined>;
  /** The pod informer's copy, tried first: a sidecar's watch and log stream then cost no GET. */
  cachedPod?: (namespace: string, name: string) => V1Pod | undefined;
  /** Absent: the proxy answers 503 (a coordinator run without API streaming, in tests). */
  openApiStream?: OpenApiStream;
  logger: Logger;
  metrics?: Pick<CoordinatorMetrics, "proxyRequest">;
}

function answer(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

type Checked =
  | { ok: true; upstream: string; fields: Record<string, string> }
  | ({ ok: false } & Refusal)
  | { ok: false; status: 503; error: string };

/**
 * The live pod a token is bound to: the cached copy when it is that very pod (same uid), else a
 * GET, so a cache that has not seen the pod yet, or still holds a namesake, never refuses it.
 */
export async function boundPodObject(
  bound: { namespace: string; name: string; uid: string },
  options: Pick<PodProxyOptions, "getPod" | "cachedPod">,
): Promise<V1Pod | undefined> {
  const cached = options.cachedPod?.(bound.namespace, bound.name);
  if (cached?.metadata?.uid === bound.uid) return cached;
  return options.getPod(bound.namespace, bound.name);
}

async function check(req: Request, options: PodProxyOptions): Promise<Checked> {
  const url = new URL(req.url, "http://proxy");
  const parsed = parseProxyRequest(req.method, url.pathname, url.searchParams);
  if (!parsed.ok) return parsed;
  const { target } = parsed;
  const token = bearerToken(req.get("authorization"));
  if (token === undefined) return { ok: false, status: 401, error: "missing bearer token" };
  let review: V1TokenReviewStatus;
  let pod: V1Pod | undefined;
  try {
    review = await options.reviewToken(token, [REPORT_AUDIENCE]);
    // The pod is read only when the token is bound to the very pod asked for.
    const bound = boundPod(review);
    const own = bound.ok && bound.namespace === target.namespace && bound.name === target.pod;
    pod = own ? await boundPodObject(bound, options) : undefined;
  } catch (err) {
    return { ok: false, status: 503, error: `cannot check the request: ${apiErrorMessage(err)}` };
  }
  const refusal = authorizeProxy(target, review, pod);
  if (refusal !== undefined) return { ok: false, ...refusal };
  return {
    ok: true,
    upstream: upstreamPath(target),
    fields: { kind: target.kind, namespace: target.namespace, pod: target.pod },
  };
}

async function relay(upstream: IncomingMessage, res: Response): Promise<void> {
  res.status(upstream.statusCode ?? 502);
  const type = upstream.headers["content-type"];
  if (type !== undefined) res.setHeader("content-type", type);
  res.setHeader("cache-control", "no-store");
  res.flushHeaders(); // a watch may say nothing for a while: the sidecar should know it is connected
  await pipeline(upstream, res);
}

export function createPodProxy(options: PodProxyOptions): RequestHandler {
  const { logger } = options;
  const count = (kind: string, code: number): void => options.metrics?.proxyRequest(kind, code);
  return async (req, res) => {
    const checked = await check(req, options);
    if (!checked.ok) {
      count("refused", checked.status);
      logger.warn("pod proxy refused", {
        method: req.method,
        path: req.path,
        status: checked.status,
        error: checked.error,
      });
      answer(res, checked.status, checked.error);
      return;
    }
    const kind = checked.fields.kind ?? "";
    if (options.openApiStream === undefined) {
      count(kind, 503);
      answer(res, 503, "this coordinator does not relay API reads");
      return;
    }
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    let upstream: IncomingMessage;
    try {
      upstream = await options.openApiStream(checked.upstream, controller.signal);
    } catch (err) {
      count(kind, 502);
      if (!controller.signal.aborted) answer(res, 502, `API server unreachable: ${errorMessage(err)}`);
      return;
    }
    count(kind, upstream.statusCode ?? 502);
    logger.debug("pod proxy relaying", { ...checked.fields, status: upstream.statusCode });
    try {
      await relay(upstream, res);
    } catch (err) {
      // The sidecar hung up or the API server ended the stream early: either side retries.
      if (!controller.signal.aborted)
        logger.debug("pod proxy stream ended", { ...checked.fields, error: errorMessage(err) });
      upstream.destroy();
      res.destroy();
    }
  };
}
