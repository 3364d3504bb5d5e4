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

/** The onexit image runs the repository's compiled entrypoint (dist/, as the image does: `make build`);
 * any other image runs its command on the host. */
export function resolveEntrypoint(container: ContainerCommand, repo: string): Entrypoint {
  const image = container.image ?? "";
  const args = container.args ?? [];
  if (imageRepository(image).endsWith("onexit")) {
    return { ok: true, argv: [`${repo}/node_modules/.bin/node`, `${repo}/dist/bin/onexit.js`, ...args] };
  }
  const command = container.command ?? [];
  if (command.length === 0) {
    return {
      ok: false,
      reason: "ContainerCannotRun",
      message: `image ${image} has no known entrypoint on this node; set the container's command`,
    };
  }
  return { ok: true, argv: [...command, ...args] };
}
