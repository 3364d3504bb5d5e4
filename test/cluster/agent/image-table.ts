// Maps a container's image to the local command the agent runs for it.

export type Entrypoint = { ok: true; argv: string[] } | { ok: false; reason: string; message: string };

export interface ContainerCommand {
  image?: string;
  command?: string[];
  args?: string[];
}

/** The repository part of an image reference: no digest, no tag. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0] ?? "";
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Argo's executor, for the bench's side-by-side runs: its image, or a command `argoexec` or
 * `.../argoexec` (Argo's main containers run `/var/run/argo/argoexec emissary -- ...`, the copy its
 * init container made), runs the host's `argoexec` from PATH (the tools cache, outside /tmp,
 * where Argo mounts an emptyDir on its executor containers). */
function isArgoexec(image: string, command: string[]): boolean {
  const first = command[0] ?? "";
  return (
    imageRepository(image).endsWith("argoproj/argoexec") ||
    first === "argoexec" ||
    first.endsWith("/argoexec")
  );
}

/** The onexit image runs the repository's compiled entrypoint (dist/, as the image does: `make build`);
 * Argo's executor runs the host's `argoexec`; any other image runs its command on the host. */
export function resolveEntrypoint(container: ContainerCommand, repo: string): Entrypoint {
  const image = container.image ?? "";
  const args = container.args ?? [];
  if (imageRepository(image).endsWith("onexit")) {
    return { ok: true, argv: [`${repo}/node_modules/.bin/node`, `${repo}/dist/bin/onexit.js`, ...args] };
  }
  const command = container.command ?? [];
  if (isArgoexec(image, command)) {
    const rest = command.length > 0 ? command.slice(1) : [];
    return { ok: true, argv: ["argoexec", ...rest, ...args] };
  }
  if (command.length === 0) {
    return {
      ok: false,
      reason: "ContainerCannotRun",
      message: `image ${image} has no known entrypoint on this node; set the container's command`,
    };
  }
  return { ok: true, argv: [...command, ...args] };
}
