// Fault injection for `make faults`: named points in the coordinator where a test can make it die
// as a crash would (SIGKILL, no cleanup). Inert unless ONEXIT_FAILPOINTS_DIR is set; then a point
// fires only when the file <dir>/<name> exists, and it renames that file before dying, so each
// arming kills exactly one coordinator once and the restarted one runs on (no crash loop).
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";

/** Every point the coordinator calls; the fault runner arms them by these names. */
export const FAILPOINTS = {
  /** Before a step pod's create (armed before any workflow exists: a workflow's first pod). */
  beforePod: "before-pod",
  /** A step pod created, the status that records it not yet written. */
  afterPod: "after-pod",
  /** The last step ended, its exit handler's pod not yet created. */
  beforeHandlerPod: "before-handler-pod",
  /** The exit handler's pod created, the status that records it not yet written. */
  afterHandlerPod: "after-handler-pod",
} as const;

export type FailpointName = (typeof FAILPOINTS)[keyof typeof FAILPOINTS];

export interface FailpointDeps {
  exists: (path: string) => boolean;
  rename: (from: string, to: string) => void;
  die: () => void;
}

const processDeps: FailpointDeps = {
  exists: existsSync,
  rename: renameSync,
  die: () => process.kill(process.pid, "SIGKILL"),
};

/** A failpoint function for `dir` (undefined: one that does nothing). */
export function createFailpoint(
  dir: string | undefined,
  deps: FailpointDeps = processDeps,
): (name: FailpointName) => void {
  if (dir === undefined || dir === "") return () => undefined;
  return (name) => {
    const armed = join(dir, name);
    if (!deps.exists(armed)) return;
    try {
      // Whoever renames it fires: a second replica (or a restart) finds it gone.
      deps.rename(armed, `${armed}.fired`);
    } catch {
      return;
    }
    deps.die();
  };
}

let active: (name: FailpointName) => void = () => undefined;

/** Called once at start-up with the configured directory. */
export function enableFailpoints(dir: string | undefined): void {
  active = createFailpoint(dir);
}

export function failpoint(name: FailpointName): void {
  active(name);
}

/** The point before or after a pod create: the exit handler's pod has its own pair. */
export function podCreatePoint(stage: "before" | "after", exitHandler: boolean): FailpointName {
  if (stage === "before") return exitHandler ? FAILPOINTS.beforeHandlerPod : FAILPOINTS.beforePod;
  return exitHandler ? FAILPOINTS.afterHandlerPod : FAILPOINTS.afterPod;
}
