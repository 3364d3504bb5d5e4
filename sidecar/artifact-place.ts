// Puts one downloaded input where `main` will find it (`in/<i>` of the artifacts volume, mounted
// by subPath at the artifact's path): a gzip'd tar unpacked (its single top entry becomes the
// path, as Argo's untar does; several entries make it a directory), anything else as a file;
// then Argo's `mode`, recursively.
import { createWriteStream } from "node:fs";
import { chmod, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

const GZIP_MAGIC = [0x1f, 0x8b];

async function startsWithGzip(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await file.close();
  }
}

async function unpack(archive: string, dest: string): Promise<void> {
  const tar = await import("tar");
  const dir = `${dest}.unpacked`;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  // node-tar refuses absolute paths and `..` (preservePaths is off).
  await tar.x({ file: archive, cwd: dir });
  const entries = await readdir(dir);
  if (entries.length === 1 && entries[0] !== undefined) {
    await rename(join(dir, entries[0]), dest);
    await rm(dir, { recursive: true });
  } else {
    await rename(dir, dest);
  }
}

/** Downloads `body` next to `dest`, then unpacks or renames it onto `dest`. */
export async function placeStream(body: Readable, dest: string, options: { unpack: boolean }): Promise<void> {
  const download = `${dest}.download`;
  await pipeline(body, createWriteStream(download));
  if (options.unpack && (await startsWithGzip(download))) {
    await unpack(download, dest);
    await rm(download);
  } else {
    await rename(download, dest);
  }
}

export async function chmodTree(path: string, mode: number): Promise<void> {
  await chmod(path, mode);
  if (!(await stat(path)).isDirectory()) return;
  for (const entry of await readdir(path)) await chmodTree(join(path, entry), mode);
}
