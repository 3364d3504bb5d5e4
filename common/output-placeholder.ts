// An output parameter's file is a subPath of the outputs emptyDir mounted onto the exact
// path `main` writes, so the image's own files beside it stay visible. The kubelet makes a
// missing subPath a directory, so the file must exist before `main` starts: the `onexit-init`
// container creates each one empty, world-writable, with its modification time at the epoch.
// Any write by `main` (even `: > file`, whose O_TRUNC sets the time) makes it a real output;
// an empty file still dated at the epoch was never written: Argo's "no such file".

/** Seconds since the epoch that mark a placeholder no one has written. */
export const PLACEHOLDER_MTIME_SECONDS = 0;
/** Writable by whatever user `main` runs as; the directory holding it is not main's. */
export const PLACEHOLDER_MODE = 0o666;
/** The init container's first argument (bin/onexit.ts); the file paths follow. */
export const PLACEHOLDERS_COMMAND = "output-placeholders";

export interface FileFacts {
  size: number;
  mtimeMs: number;
}

/** True for a placeholder `main` never wrote to. */
export function isUntouchedPlaceholder(file: FileFacts): boolean {
  return file.size === 0 && file.mtimeMs === PLACEHOLDER_MTIME_SECONDS * 1000;
}
