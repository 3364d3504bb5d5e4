// The real PostReport: HTTPS POST to `${coordinatorUrl}/v1/reports`, trusting only the given CA.
import { REPORT_PATH } from "../common/names.ts";
import { plainHttp } from "./plain-http.ts";
import { request as httpsRequest } from "node:https";
import type { PostReport } from "./reporter.ts";

const MAX_RESPONSE_BYTES = 64 * 1024;

export function httpsPoster(coordinatorUrl: string, ca: string | undefined): PostReport {
  const url = new URL(REPORT_PATH, coordinatorUrl.endsWith("/") ? coordinatorUrl : `${coordinatorUrl}/`);
  const send = url.protocol === "http:" ? plainHttp().request : httpsRequest;
  return (body, token, signal) =>
    new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: "POST",
          signal,
          ...(ca ? { ca } : {}),
          agent: false,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}
