// The real ReadPrefix: reads a bounded prefix of a file under the outputs volume and refuses
// anything that resolves outside it (a symlink to the token, say).
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import type { ReadPrefix } from "./outputs.ts";

export function volumeReader(dir: string): ReadPrefix {
  return async (relativePath, maxBytes) => {
    const root = await realpath(dir);
    const target = await realpath(join(root, relativePath));
    if (!target.startsWith(root + sep)) {
      throw Object.assign(new Error(`${relativePath} resolves outside ${dir}`), { code: "EOUTSIDE" });
    }
    const handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const { mtimeMs } = await handle.stat();
      const buffer = Buffer.alloc(maxBytes);
      let filled = 0;
      while (filled < maxBytes) {
        const { bytesRead } = await handle.read(buffer, filled, maxBytes - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return { data: buffer.subarray(0, filled), mtimeMs };
    } finally {
      await handle.close();
    }
  };
}
