// POSTs raw bodies to onexit's HTTPS endpoints from this host (the test cluster's Service IPs are
// routed here by the agent's iptables rules). The suite checks refusals, not TLS: the serving
// certificate is the chart's own and is not verified here.
import { Agent, request } from "node:https";

export interface Answer {
  status: number;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false });

export async function postRaw(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", ...headers }, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`POST ${url}: no answer in 30 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A 4xx whose JSON body carries a non-empty `error`: a refusal a client can read. */
export function isClearRefusal(answer: Answer): boolean {
  if (answer.status < 400 || answer.status >= 500) return false;
  try {
    const error = (JSON.parse(answer.text) as { error?: unknown }).error;
    return typeof error === "string" && error.length > 0;
  } catch {
    return false;
  }
}

export function closeConnections(): void {
  agent.destroy();
}
