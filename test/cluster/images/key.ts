// The inputs key of one image: a build is skipped when its archives exist under the same key.
import { createHash } from "node:crypto";
import type { ImagePlan } from "./plan.ts";

export interface KeyInputs {
  plan: ImagePlan;
  /** Facts about the host inputs: content hashes of the staged sources, package versions. */
  facts: string[];
  /** The base image's key: a new base rebuilds every image on it. */
  baseKey?: string;
}

export function imageKey(inputs: KeyInputs): string {
  const canonical = JSON.stringify({
    plan: inputs.plan,
    facts: [...inputs.facts].sort(),
    baseKey: inputs.baseKey ?? "",
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** One line per file: its path and content hash, sorted, so the listing order never matters. */
export function treeFact(files: readonly { path: string; sha256: string }[]): string {
  const lines = files.map((file) => `${file.path} ${file.sha256}`).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}
