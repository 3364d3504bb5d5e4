// A self-signed serving certificate for the kubelet endpoint (the API server does not verify it).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.ts";

export async function servingCertificate(
  dir: string,
  nodeName: string,
  nodeIp: string,
): Promise<{ cert: Buffer; key: Buffer }> {
  const certPath = join(dir, "kubelet.crt");
  const keyPath = join(dir, "kubelet.key");
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "3650",
      "-subj",
      `/CN=${nodeName}`,
      "-addext",
      `subjectAltName=IP:${nodeIp},DNS:${nodeName}`,
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ]);
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath) };
}
