// `onexit output-placeholders FILE...`: the `onexit-init` container. Creates each output file
// `main` will have mounted at its valueFrom.path (common/output-placeholder.ts says why).
// Imports nothing but node:fs: it runs before every step that has output parameters.
import { chmod, utimes, writeFile } from "node:fs/promises";
import {
  PLACEHOLDER_MODE,
  PLACEHOLDER_MTIME_SECONDS,
  PLACEHOLDERS_COMMAND,
} from "../common/output-placeholder.ts";

export async function createPlaceholders(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await writeFile(path, "");
    // chmod after the write: the mode given to open() is cut by the umask.
    await chmod(path, PLACEHOLDER_MODE);
    await utimes(path, PLACEHOLDER_MTIME_SECONDS, PLACEHOLDER_MTIME_SECONDS);
  }
}

export async function main(): Promise<void> {
  const paths = process.argv.slice(3);
  try {
    await createPlaceholders(paths);
    console.log(`${PLACEHOLDERS_COMMAND}: created ${paths.length} output file(s)`);
  } catch (err) {
    console.error(`${PLACEHOLDERS_COMMAND}: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
