// Keeps the HTTPS server's certificate in step with the files on disk (a rotated Secret):
// each check re-reads both files and swaps the secure context when they changed.
import type { Logger } from "./log.ts";
import { errorMessage } from "./log.ts";

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

export interface CertReloaderOptions {
  load: () => Promise<KeyPair>;
  /** Typically `server.setSecureContext`; throws when the pair is unusable. */
  apply: (pair: KeyPair) => void;
  logger: Logger;
}

export interface CertReloader {
  /** Resolves true when a new pair was applied. Never throws: a bad pair keeps the old one. */
  check(): Promise<boolean>;
}

export function createCertReloader(initial: KeyPair, options: CertReloaderOptions): CertReloader {
  let current = initial;
  return {
    async check(): Promise<boolean> {
      let next: KeyPair;
      try {
        next = await options.load();
      } catch (err) {
        options.logger.warn("cannot read TLS files, keeping the current certificate", {
          error: errorMessage(err),
        });
        return false;
      }
      if (next.cert.equals(current.cert) && next.key.equals(current.key)) return false;
      try {
        options.apply(next);
      } catch (err) {
        options.logger.warn("new TLS files are unusable, keeping the current certificate", {
          error: errorMessage(err),
        });
        return false;
      }
      current = next;
      options.logger.info("TLS certificate reloaded");
      return true;
    },
  };
}
