// What each offline image is made of: the onexit image from the Dockerfile's final stage, and the
// stand-ins for the step images the examples and tests name. Pure: the build (main.ts) stages the
// host paths these plans name and hands them to buildah.
import { posix } from "node:path";
import type { ImageRecipe } from "./dockerfile.ts";

export interface ImageConfig {
  env: Record<string, string>;
  workdir?: string;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
}

export interface CopyStep {
  /** A path on the host, staged before the build. */
  source: string;
  /** Path in the image; a trailing "/" copies into that directory. */
  dest: string;
}

export interface ImagePlan {
  /** Stable short name: the key file, the local build name. */
  id: string;
  /** Another plan's id whose image this one starts from; absent: an empty image. */
  base?: string;
  copies: CopyStep[];
  config: ImageConfig;
  /** The references written, one archive each (`ctr images import` names the image after it). */
  refs: string[];
}

export const SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Where node:24-slim, the Dockerfile's base, keeps node; the Dockerfile's ENTRYPOINT finds it on PATH. */
export const NODE_PATH_IN_IMAGE = "/usr/local/bin/node";

/** The Debian packages whose files the node binary needs (glibc, libgcc_s, libstdc++). */
export const RUNTIME_PACKAGES = ["libc6", "libgcc-s1", "libstdc++6"] as const;

/** The users the images know by name: the onexit image's own and the chart's default sidecar user. */
export const IMAGE_USERS = [
  { name: "root", uid: 0, home: "/root" },
  { name: "onexit", uid: 10001, home: "/app" },
  { name: "nonroot", uid: 65532, home: "/home/nonroot" },
] as const;

/** Docker's short names as containerd spells them: `alpine:3` is `docker.io/library/alpine:3`. */
export function normalizeRef(ref: string): string {
  const firstPart = ref.split("/")[0] ?? "";
  const hasRegistry =
    ref.includes("/") && (firstPart.includes(".") || firstPart.includes(":") || firstPart === "localhost");
  const named = hasRegistry ? ref : ref.includes("/") ? `docker.io/${ref}` : `docker.io/library/${ref}`;
  const lastPart = named.split("/").at(-1) ?? "";
  return lastPart.includes(":") || lastPart.includes("@") ? named : `${named}:latest`;
}

/** The archive file of one reference: `docker.io/library/alpine:3.20` → `alpine_3.20.tar`. */
export function archiveName(ref: string): string {
  const short = normalizeRef(ref)
    .replace(/^docker\.io\/library\//, "")
    .replace(/^docker\.io\//, "");
  return `${short.replace(/[/:@]/g, "_")}.tar`;
}

/** Package files worth shipping: no documentation, manuals, translations or lintian overrides. */
export function keepPackagePath(path: string): boolean {
  return (
    !/^\/usr\/share\/(doc|man|info|locale|lintian|bug|gcc)(\/|$)/.test(path) && !/\/gconv(\/|$)/.test(path)
  );
}

export function passwdFile(): string {
  return IMAGE_USERS.map((u) => `${u.name}:x:${u.uid}:${u.uid}:${u.name}:${u.home}:/sbin/nologin\n`).join("");
}

export function groupFile(): string {
  return IMAGE_USERS.map((u) => `${u.name}:x:${u.uid}:\n`).join("");
}

/** The local stage outputs a final-stage `COPY --from=<stage> <path>` stands for, relative to the
 * work directory main.ts fills (tsc's output, `npm ci --omit=dev`'s node_modules). */
export const STAGE_OUTPUTS: Record<string, string> = {
  "build:/app/dist": "build/dist",
  "deps:/app/node_modules": "deps/node_modules",
  "busybox:/bin/busybox": "busybox",
};

/** The Dockerfile's final stage as copy steps from the context and the staged stage outputs. */
export function onexitCopies(recipe: ImageRecipe, contextDir: string, workDir: string): CopyStep[] {
  return recipe.copies.flatMap((copy) =>
    copy.sources.map((source) => {
      if (copy.fromStage === undefined) return { source: posix.join(contextDir, source), dest: copy.dest };
      const output = STAGE_OUTPUTS[`${copy.fromStage}:${source}`];
      if (output === undefined) {
        throw new Error(
          `Dockerfile: COPY --from=${copy.fromStage} ${source} has no offline equivalent; add it to STAGE_OUTPUTS in test/cluster/images/plan.ts`,
        );
      }
      return { source: posix.join(workDir, output), dest: copy.dest };
    }),
  );
}

/** Debian's version without epoch and revision, as upstream tags it: `1:1.35.0-4+b1` → `1.35.0`. */
export function upstreamVersion(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, "").replace(/-[^-]*$/, "");
}

/** The libraries a dynamic binary loads, from `ldd`'s output: `name => /path (addr)` lines and
 * the interpreter's own line; vdso has no file. */
export function lddPaths(output: string): string[] {
  return output
    .split("\n")
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

export interface PlanInputs {
  recipe: ImageRecipe;
  /** The onexit image's reference (the chart's default: repository and appVersion). */
  onexitRef: string;
  /** The major version of the pinned node package: names the node stand-in. */
  nodeMajor: string;
  /** Debian's curl version, upstream part: names the curl stand-in. */
  curlVersion: string;
  contextDir: string;
  workDir: string;
}

/** Every image the offline build writes, bases before the images that start from them. */
export function imagePlans(inputs: PlanInputs): ImagePlan[] {
  const { recipe, workDir } = inputs;
  const staged = (name: string): string => posix.join(workDir, name);
  return [
    {
      id: "node",
      copies: [{ source: staged("runtime-rootfs"), dest: "/" }],
      config: { env: { PATH: SEARCH_PATH }, cmd: ["node"] },
      // The Dockerfile's base image, and the node image of the tests (one archive: 127 MiB).
      refs: [`node:${inputs.nodeMajor}-slim`],
    },
    {
      id: "onexit",
      base: "node",
      copies: onexitCopies(recipe, inputs.contextDir, workDir),
      config: {
        env: { PATH: SEARCH_PATH, ...recipe.env },
        workdir: recipe.workdir,
        user: recipe.user,
        entrypoint: recipe.entrypoint,
        cmd: [],
      },
      refs: [inputs.onexitRef],
    },
    {
      id: "shell",
      copies: [{ source: staged("shell-rootfs"), dest: "/" }],
      config: { env: { PATH: SEARCH_PATH }, cmd: ["sh"] },
      refs: ["alpine:3.20", "alpine:3", "alpine:latest", "busybox:1.35", "busybox:latest"],
    },
    {
      id: "bash",
      base: "shell",
      copies: [{ source: staged("bash"), dest: "/bin/bash" }],
      config: { env: { PATH: SEARCH_PATH }, cmd: ["bash"] },
      refs: ["bash:5.2", "bash:5", "bash:latest"],
    },
    {
      id: "curl",
      base: "shell",
      // Debian's curl, its libraries and the CA bundle on the shell image, as curlimages/curl is on Alpine.
      copies: [{ source: staged("curl-rootfs"), dest: "/" }],
      config: { env: { PATH: SEARCH_PATH }, cmd: ["curl"] },
      refs: [`curlimages/curl:${inputs.curlVersion}`],
    },
  ];
}

/** The shell image's applet links, where Alpine has them, from `busybox --list-full`
 * (`usr/bin/env`, `bin/sh`, ...): every applet in a bin directory but busybox itself. */
export function appletLinks(listFull: string): string[] {
  return listFull
    .split("\n")
    .map((line) => line.trim())
    .filter((path) => /^(usr\/)?s?bin\/[^/]+$/.test(path) && path !== "bin/busybox")
    .map((path) => `/${path}`);
}

/** Name lookups from files, then DNS (glibc's default without this file tries DNS first). */
export const NSSWITCH_CONF = "passwd: files\ngroup: files\nhosts: files dns\n";
