import * as models from "@kubernetes/client-node";
import { ObjectSerializer } from "@kubernetes/client-node/dist/serializer.js";
import { describe, expect, it } from "vitest";
import { podFromJson } from "./pod-json.ts";

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}

type Model = { getAttributeTypeMap?: () => Attribute[] };

/**
 * A pod's JSON with every field of the client's V1Pod model that holds a timestamp or an object
 * on the way to one, each list with one item: what the serializer would turn into Dates.
 */
function podWithEveryTimestamp(type = "V1Pod", depth = 0): unknown {
  const list = /^Array<(.*)>$/.exec(type);
  if (list !== null) {
    const item = podWithEveryTimestamp(list[1], depth);
    return item === undefined ? undefined : [item];
  }
  if (type === "Date") return "2026-12-06T05:00:00Z";
  const model = (models as unknown as Record<string, Model>)[type];
  if (model?.getAttributeTypeMap === undefined || depth > 10) return undefined;
  const out: Record<string, unknown> = {};
  for (const attribute of model.getAttributeTypeMap()) {
    const value = podWithEveryTimestamp(attribute.type, depth + 1);
    if (value !== undefined) out[attribute.baseName] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

describe("podFromJson", () => {
  it("when a pod has every timestamp V1Pod knows, then they are Dates as the client's serializer gives them", () => {
    const json = podWithEveryTimestamp();
    const expected = ObjectSerializer.deserialize(structuredClone(json), "V1Pod") as unknown;
    const pod = podFromJson(structuredClone(json));
    expect(JSON.stringify(pod)).toContain("2026-12-06T05:00:00.000Z");
    expect(pod).toEqual(expected);
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt).toBeInstanceOf(Date);
  });

  it("when V1Pod's model is walked, then no field is renamed between JSON and the model", () => {
    const renamed: string[] = [];
    const seen = new Set<string>();
    const walk = (type: string): void => {
      const inner = /^Array<(.*)>$/.exec(type)?.[1] ?? /^\{ \[key: string\]: (.*); \}$/.exec(type)?.[1];
      if (inner !== undefined) return walk(inner);
      const model = (models as unknown as Record<string, Model>)[type];
      if (model?.getAttributeTypeMap === undefined || seen.has(type)) return;
      seen.add(type);
      for (const attribute of model.getAttributeTypeMap()) {
        if (attribute.name !== attribute.baseName) renamed.push(`${type}.${attribute.baseName}`);
        walk(attribute.type);
      }
    };
    walk("V1Pod");
    expect(seen.size).toBeGreaterThan(50);
    expect(renamed).toEqual([]);
  });

  it("when a watch event is a plain pod, then its fields are kept as they are", () => {
    const pod = podFromJson({
      metadata: { name: "p", labels: { a: "b" }, annotations: { "onexit.dev/report": "{}" } },
      status: { phase: "Running", containerStatuses: [{ name: "main", state: { running: {} } }] },
    });
    expect(pod.metadata?.annotations).toEqual({ "onexit.dev/report": "{}" });
    expect(pod.status?.containerStatuses?.[0]?.state).toEqual({ running: {} });
    expect(podFromJson(null)).toBeNull();
  });
});
