// The HTTP edge only: checks Content-Type and body, decodes the AdmissionReview envelope,
// calls the pure review and writes its answer. Metrics are served on plain HTTP by
// common/http-server.ts; the probes answer here too, so a TLS failure shows in them.
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import { decodeReview, type AdmissionRequest } from "./admission.ts";
import type { WebhookMetrics } from "./metrics.ts";
import type { ReviewResult } from "./review.ts";

/** A 1 MiB pod must pass; the API server itself caps request bodies at 3 MiB (etcd's limit is lower). */
const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export interface MutateAppOptions {
  review: (request: AdmissionRequest) => ReviewResult;
  metrics: WebhookMetrics;
  logger: Logger;
  /** Monotonic milliseconds, for the duration histogram. */
  nowMs: () => number;
  bodyLimit?: number;
  ready: () => boolean;
}

function probes(app: express.Express, ready: () => boolean): void {
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.get("/readyz", (_req, res) => {
    if (ready()) res.type("text/plain").send("ok");
    else res.status(503).type("text/plain").send("not ready");
  });
}

function reject(res: Response, status: number, message: string): void {
  res.status(status).json({ error: message });
}

export function createMutateApp(options: MutateAppOptions): express.Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable("x-powered-by");
  probes(app, options.ready);
  const fail = (res: Response, status: number, message: string, started: number): void => {
    metrics.observe("error", (options.nowMs() - started) / 1000);
    logger.warn("rejected admission request", { status, error: message });
    reject(res, status, message);
  };
  app.post(
    "/mutate",
    (req: Request, res: Response, next: NextFunction) => {
      res.locals.started = options.nowMs();
      if (!req.is("application/json")) {
        fail(
          res,
          415,
          `Content-Type must be application/json, got ${req.get("content-type") ?? "none"}`,
          res.locals.started,
        );
        return;
      }
      next();
    },
    express.json({ limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: false }),
    (req: Request, res: Response) => {
      const started = res.locals.started as number;
      if (req.body === undefined || req.body === null || req.get("content-length") === "0") {
        fail(res, 400, "empty body: expected an AdmissionReview", started);
        return;
      }
      const decoded = decodeReview(req.body);
      if (!decoded.ok) {
        fail(res, 400, decoded.message, started);
        return;
      }
      let result: ReviewResult;
      try {
        result = options.review(decoded.request);
      } catch (err) {
        fail(res, 500, `internal error: ${errorMessage(err)}`, started);
        return;
      }
      metrics.observe(result.outcome, (options.nowMs() - started) / 1000);
      const { request } = decoded;
      const fields = {
        outcome: result.outcome,
        uid: request.uid,
        namespace: request.namespace,
        detail: result.detail,
      };
      if (result.skipped !== undefined) {
        // One line per pod: someone labelled a pod as a workflow's without being the coordinator.
        metrics.injectionSkipped(result.skipped);
        const meta = (request.object as { metadata?: { name?: string; generateName?: string } } | undefined)
          ?.metadata;
        logger.warn("workflow-labelled pod not injected", {
          ...fields,
          pod: meta?.name || meta?.generateName,
          reason: result.skipped,
        });
      } else if (result.outcome === "skipped") logger.debug("admission", fields);
      else logger.info("admission", fields);
      res.json(result.review);
    },
  );
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === "object" && err !== null && "status" in err ? Number(err.status) : 500;
    const started = (res.locals.started as number | undefined) ?? options.nowMs();
    if (status === 413) fail(res, 413, "body too large", started);
    else if (status >= 400 && status < 500)
      fail(res, 400, `body is not valid JSON: ${errorMessage(err)}`, started);
    else fail(res, 500, `internal error: ${errorMessage(err)}`, started);
  });
  return app;
}
