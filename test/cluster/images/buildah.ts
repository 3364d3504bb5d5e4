// The buildah commands that turn one ImagePlan into image archives. Pure: main.ts runs them.
import type { ImageConfig, ImagePlan } from "./plan.ts";
import { archiveName, normalizeRef } from "./plan.ts";

/** buildah's storage for the offline build: its own, so nothing else on the machine sees it. */
export interface Storage {
  root: string;
  runroot: string;
}

export function buildahGlobalArgs(storage: Storage): string[] {
  return ["--root", storage.root, "--runroot", storage.runroot, "--storage-driver", "vfs"];
}

/** The local name of a plan's built image: its inputs key in the tag, so a stale one is never reused. */
export function localName(id: string, key: string): string {
  return `localhost/onexit-build/${id}:${key.slice(0, 16)}`;
}

export function configArgs(config: ImageConfig): string[] {
  const args = Object.entries(config.env).flatMap(([name, value]) => ["--env", `${name}=${value}`]);
  if (config.workdir !== undefined) args.push("--workingdir", config.workdir);
  if (config.user !== undefined) args.push("--user", config.user);
  if (config.entrypoint !== undefined) args.push("--entrypoint", JSON.stringify(config.entrypoint));
  // An empty list clears the base image's CMD, as a Dockerfile ENTRYPOINT does.
  if (config.cmd !== undefined) args.push("--cmd", config.cmd.length === 0 ? "" : JSON.stringify(config.cmd));
  return args;
}

export interface BuildSteps {
  /** `buildah from` prints the working container's name; the later steps take it as `{container}`. */
  from: string[];
  steps: string[][];
}

export const CONTAINER = "{container}";

/** From the base (or scratch), the copies, the config, then a commit under the plan's local name. */
export function buildSteps(plan: ImagePlan, key: string, baseName: string | undefined): BuildSteps {
  return {
    from: ["from", "--pull-never", baseName ?? "scratch"],
    steps: [
      ...plan.copies.map((copy) => ["copy", CONTAINER, copy.source, copy.dest]),
      // The base's CMD goes first: buildah warns when an ENTRYPOINT is set over one.
      ...(plan.config.entrypoint === undefined ? [] : [["config", "--cmd", "", CONTAINER]]),
      ["config", ...configArgs(plan.config), CONTAINER],
      // Docker's format: the one `ctr images import` names after the archive's RepoTags.
      ["commit", "--quiet", "--rm", "--format", "docker", CONTAINER, localName(plan.id, key)],
    ],
  };
}

/** One docker-archive per reference (buildah writes one name per archive), written beside it and
 * renamed by main.ts so an importer never sees half an archive. Pushed by image id: by name, the
 * archive would also carry the local build name. */
export function pushSteps(
  plan: ImagePlan,
  imageId: string,
  archiveDir: string,
): { archive: string; args: string[] }[] {
  return plan.refs.map((ref) => {
    const archive = `${archiveDir}/${archiveName(ref)}`;
    return {
      archive,
      args: ["push", "--quiet", imageId, `docker-archive:${archive}.partial:${normalizeRef(ref)}`],
    };
  });
}
