// Objects under a name this workflow uses that it did not create (their controller ownerReference
// is not this workflow's uid). Names are deterministic, so anyone allowed to create pods can
// create a step's pod before onexit does; using it would let them forge the step's result. The
// node errs instead, naming the object and what to do about it.
import type { ForeignObject } from "./types.ts";

export function foreignPodMessage(namespace: string, foreign: ForeignObject): string {
  const controller = foreign.controller === undefined ? "" : ` (it belongs to ${foreign.controller})`;
  return (
    `pod ${namespace}/${foreign.name} exists and is not owned by this workflow${controller}; ` +
    `onexit will not use it: whoever created it must delete it ` +
    `(kubectl -n ${namespace} delete pod ${foreign.name}), then submit the workflow again`
  );
}
