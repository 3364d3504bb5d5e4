// The HTTP edge of POST /v1/reports (and of the sidecars' pod proxy, pod-proxy.ts): parse JSON (256 KiB limit), hand the request to the pure
// handler, count and log the outcome, write its answer. HTTPS when TLS files are configured,
// with the certificate re-read every `certPollMs` and swapped in place when it changed.
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Logger } from "../common/log.ts";
import { errorMessage } from "../common/log.ts";
import { createCertReloader, type KeyPair } from "../common/cert-reloader.ts";
import { listen, type RunningServer } from "../common/http-server.ts";
import { POD_PROXY_PREFIX, REPORT_PATH } from "../common/names.ts";
import type { CoordinatorMetrics } from "./metrics.ts";
import type { ReportRequest, ReportResponse } from "./report-handler.ts";

const REPORT_BODY_LIMIT = "256kb";

export interface ReportAppOptions {
  handle: (request: ReportRequest) => Promise<ReportResponse>;
  logger: Logger;
  metrics: Pick<CoordinatorMetrics, "report">;
  /** The sidecars' read-only API proxy (pod-proxy.ts), served under POD_PROXY_PREFIX. */
  podProxy?: RequestHandler;
}

export function createReportApp(options: ReportAppOptions): express.Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.post(REPORT_PATH, express.json({ limit: REPORT_BODY_LIMIT }), async (req: Request, res: Response) => {
    let response: ReportResponse;
    try {
      response = await options.handle({ authorization: req.get("authorization"), body: req.body as unknown });
    } catch (err) {
      response = {
        status: 500,
        body: { error: `internal error: ${errorMessage(err)}` },
        outcome: "error",
        fields: {},
      };
    }
    metrics.report(response.outcome);
    const level = response.status === 200 ? "info" : "warn";
    const error = "error" in response.body ? response.body.error : undefined;
    logger[level]("report", {
      outcome: response.outcome,
      status: response.status,
      ...response.fields,
      error,
    });
    res.status(response.status).json(response.body);
  });
  if (options.podProxy !== undefined) app.use(POD_PROXY_PREFIX, options.podProxy);
  // Body-parser failures (malformed JSON, too large) arrive here, before the handler ran.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown }).status;
    const code = typeof status === "number" && status >= 400 && status < 500 ? status : 500;
    const outcome = code === 500 ? "error" : "invalid";
    const message =
      code === 413 ? `report larger than ${REPORT_BODY_LIMIT}` : `malformed request: ${errorMessage(err)}`;
    metrics.report(outcome);
    logger.warn("report", { outcome, status: code, error: message });
    res.status(code).json({ error: message });
  });
  return app;
}

export interface ReportServerOptions {
  app: express.Express;
  port: number;
  /** Absent: plain HTTP (local development only). */
  tls?: { certFile: string; keyFile: string };
  readFile: (path: string) => Promise<Buffer>;
  logger: Logger;
  certPollMs?: number;
  /** Defaults to all interfaces; tests pass 127.0.0.1. */
  host?: string;
}

export async function startReportServer(options: ReportServerOptions): Promise<RunningServer> {
  const { tls, logger } = options;
  let server: Server;
  let timer: NodeJS.Timeout | undefined;
  if (tls === undefined) {
    logger.warn(
      "report endpoint without TLS: set ONEXIT_TLS_CERT_FILE and ONEXIT_TLS_KEY_FILE outside development",
    );
    server = createHttpServer(options.app);
  } else {
    const load = async (): Promise<KeyPair> => ({
      cert: await options.readFile(tls.certFile),
      key: await options.readFile(tls.keyFile),
    });
    const initial = await load();
    const https = createHttpsServer(initial, options.app);
    const reloader = createCertReloader(initial, {
      load,
      apply: (pair) => https.setSecureContext(pair),
      logger,
    });
    timer = setInterval(() => void reloader.check(), options.certPollMs ?? 10_000);
    timer.unref();
    server = https;
  }
  return listen(server, options.port, options.host, () => clearInterval(timer));
}
