// The `onexit-init` container: before `main` starts, it creates each output file that `main`
// mounts on its own (a subPath of the outputs emptyDir onto valueFrom.path), since the kubelet
// would make a missing subPath a directory. Why files and not directories:
// common/output-placeholder.ts. Pure; called once from inject.ts.
import type { V1Container, V1Pod, V1PodSecurityContext, V1SecurityContext } from "@kubernetes/client-node";
import {
  ANNOTATION_OUTPUTS,
  MAIN_CONTAINER,
  OUTPUTS_INIT_CONTAINER,
  OUTPUTS_MOUNT_PATH,
  OUTPUTS_VOLUME,
} from "../common/names.ts";
import { PLACEHOLDERS_COMMAND } from "../common/output-placeholder.ts";
import type { InjectConfig } from "./inject-config.ts";

function annotatedPaths(pod: V1Pod): Set<string> {
  try {
    const listed: unknown = JSON.parse(pod.metadata?.annotations?.[ANNOTATION_OUTPUTS] ?? "[]");
    if (!Array.isArray(listed)) return new Set();
    return new Set(listed.map((entry) => (entry as { path?: unknown } | null)?.path).filter(isString));
  } catch {
    return new Set();
  }
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

/**
 * The subPaths `main` mounts as output files: those the outputs annotation lists as files.
 * A pod laid out by an older coordinator (one subPath per directory, files below it) has none.
 */
export function placeholderFiles(pod: V1Pod): string[] {
  const main = pod.spec?.containers.find((c) => c.name === MAIN_CONTAINER);
  const files = annotatedPaths(pod);
  const subPaths = (main?.volumeMounts ?? [])
    .filter((m) => m.name === OUTPUTS_VOLUME && m.subPath !== undefined && files.has(m.subPath))
    .map((m) => m.subPath ?? "");
  return [...new Set(subPaths)];
}

type Identity = Pick<V1SecurityContext, "runAsUser" | "runAsGroup" | "runAsNonRoot">;

/**
 * The init container runs as `main` does when that is known, else as root (the usual image
 * user, and allowed wherever root is): with fs.protected_regular, a file in a sticky
 * world-writable directory such as /tmp can be opened for writing with O_CREAT only by its
 * owner or when the directory's owner owns it. Where `main` must not be root and its user is
 * the image's, the sidecar's user is the only one known to be allowed.
 */
export function placeholderIdentity(
  main: V1Container | undefined,
  pod: V1PodSecurityContext | undefined,
  sidecar: V1SecurityContext,
): Identity {
  const own = main?.securityContext ?? {};
  const user = own.runAsUser ?? pod?.runAsUser;
  const group = own.runAsGroup ?? pod?.runAsGroup;
  if (user !== undefined) return withoutUndefined({ runAsUser: user, runAsGroup: group });
  if ((own.runAsNonRoot ?? pod?.runAsNonRoot) === true) {
    return withoutUndefined({
      runAsNonRoot: true,
      runAsUser: sidecar.runAsUser,
      runAsGroup: sidecar.runAsGroup,
    });
  }
  return { runAsNonRoot: false, runAsUser: 0, runAsGroup: group ?? 0 };
}

function withoutUndefined(identity: Identity): Identity {
  return Object.fromEntries(Object.entries(identity).filter(([, value]) => value !== undefined));
}

/** The sidecar's hardening with `main`'s identity (placeholderIdentity): the files it makes are main's to write. */
export function initSecurityContext(pod: V1Pod, config: InjectConfig): V1SecurityContext {
  const main = pod.spec?.containers.find((c) => c.name === MAIN_CONTAINER);
  const { runAsUser: _u, runAsGroup: _g, runAsNonRoot: _n, ...hardening } = config.securityContext;
  return {
    ...structuredClone(hardening),
    ...placeholderIdentity(main, pod.spec?.securityContext, config.securityContext),
  };
}

function initContainer(pod: V1Pod, files: string[], config: InjectConfig): V1Container {
  return {
    name: OUTPUTS_INIT_CONTAINER,
    image: config.image,
    args: [PLACEHOLDERS_COMMAND, ...files.map((f) => `${OUTPUTS_MOUNT_PATH}/${f}`)],
    resources: structuredClone(config.resources),
    securityContext: initSecurityContext(pod, config),
    volumeMounts: [{ name: OUTPUTS_VOLUME, mountPath: OUTPUTS_MOUNT_PATH }],
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

/** Puts `onexit-init` first among the pod's init containers when `main` mounts output files;
 * returns the names of the containers it added. */
export function addOutputPlaceholders(pod: V1Pod, config: InjectConfig): string[] {
  const files = placeholderFiles(pod);
  if (pod.spec === undefined || files.length === 0) return [];
  if ((pod.spec.initContainers ?? []).some((c) => c.name === OUTPUTS_INIT_CONTAINER)) return [];
  pod.spec.initContainers = [initContainer(pod, files, config), ...(pod.spec.initContainers ?? [])];
  return [OUTPUTS_INIT_CONTAINER];
}
