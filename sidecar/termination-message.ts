// The one line a failed sidecar leaves in /dev/termination-log: the kubelet copies it to
// status.containerStatuses[wait].state.terminated.message, where the coordinator reads it
// (coordinator/engine/nodes/pod-observe.ts) and names it in the node's message and an Event.

export const TERMINATION_MESSAGE_PATH = "/dev/termination-log";
/** The kubelet keeps at most 4096 bytes; a workflow message should stay readable anyway. */
export const MAX_TERMINATION_MESSAGE_CHARS = 512;

/** One line, blanks collapsed, bounded. */
export function terminationLine(reason: string): string {
  const line = reason.replace(/\s+/g, " ").trim() || "sidecar failed";
  return line.length <= MAX_TERMINATION_MESSAGE_CHARS
    ? line
    : `${line.slice(0, MAX_TERMINATION_MESSAGE_CHARS - 3)}...`;
}
