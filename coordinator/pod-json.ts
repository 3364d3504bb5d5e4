// A pod from the API server's JSON, as @kubernetes/client-node's ObjectSerializer would give it
// (its timestamps as Date), for a fraction of the cost: the pod informer turns every watch event
// into a V1Pod, and the generic serializer walking each pod's type tree was the coordinator's
// largest single cost under load (bench/README.md, issue 14). V1Pod renames no JSON field, so
// the JSON object is the pod once its timestamps are Dates; pod-json.test.ts checks the two agree.
import type { V1Pod } from "@kubernetes/client-node";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toDate(object: unknown, key: string): void {
  if (!isObject(object)) return;
  const value = object[key];
  if (typeof value === "string") object[key] = new Date(value);
}

function each(list: unknown, visit: (item: unknown) => void): void {
  if (Array.isArray(list)) list.forEach(visit);
}

function metadataDates(metadata: unknown): void {
  if (!isObject(metadata)) return;
  toDate(metadata, "creationTimestamp");
  toDate(metadata, "deletionTimestamp");
  each(metadata.managedFields, (field) => toDate(field, "time"));
}

function stateDates(state: unknown): void {
  if (!isObject(state)) return;
  toDate(state.running, "startedAt");
  toDate(state.terminated, "startedAt");
  toDate(state.terminated, "finishedAt");
}

function containerStatusDates(statuses: unknown): void {
  each(statuses, (status) => {
    if (!isObject(status)) return;
    stateDates(status.state);
    stateDates(status.lastState);
  });
}

/** The V1Pod for a pod's JSON (changed in place): every timestamp the pod's schema has becomes a Date. */
export function podFromJson(raw: unknown): V1Pod {
  if (!isObject(raw)) return raw as V1Pod;
  metadataDates(raw.metadata);
  if (isObject(raw.spec))
    each(raw.spec.volumes, (volume) => {
      if (isObject(volume) && isObject(volume.ephemeral) && isObject(volume.ephemeral.volumeClaimTemplate))
        metadataDates(volume.ephemeral.volumeClaimTemplate.metadata);
    });
  const status = raw.status;
  if (isObject(status)) {
    toDate(status, "startTime");
    each(status.conditions, (condition) => {
      toDate(condition, "lastProbeTime");
      toDate(condition, "lastTransitionTime");
    });
    containerStatusDates(status.containerStatuses);
    containerStatusDates(status.initContainerStatuses);
    containerStatusDates(status.ephemeralContainerStatuses);
  }
  return raw as V1Pod;
}
