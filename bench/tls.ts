// A throwaway self-signed certificate for 127.0.0.1 (openssl), for the local webhook server;
// RSA 2048 like the chart's (helm genSignedCert).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertFiles {
  dir: string;
  cert: string;
  key: string;
}

export function selfSignedCert(): CertFiles {
  const dir = mkdtempSync(join(tmpdir(), "onexit-bench-tls-"));
  const cert = join(dir, "tls.crt");
  const key = join(dir, "tls.key");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { dir, cert, key };
}
