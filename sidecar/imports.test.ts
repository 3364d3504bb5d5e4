import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Every module URL that importing `entry` resolves, in a fresh Node process. */
function modulesLoadedBy(entry: URL): string[] {
  const script = `
    import { registerHooks } from "node:module";
    const seen = [];
    registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
    await import(${JSON.stringify(entry.href)});
    console.log(JSON.stringify(seen));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(child.stderr).toBe("");
  return JSON.parse(child.stdout) as string[];
}

describe("the sidecar's imports", () => {
  it("when the sidecar is loaded, then neither zod nor the Kubernetes client is (its memory budget)", () => {
    const loaded = modulesLoadedBy(new URL("./main.ts", import.meta.url));
    expect(loaded.some((url) => url.endsWith("/sidecar/run.ts"))).toBe(true);
    expect(loaded.filter((url) => /\/node_modules\/(zod|@kubernetes\/client-node)\//.test(url))).toEqual([]);
  });

  it("when the sidecar is loaded, then node:http is not imported as ESM (its namespace loads undici: ~5 MiB)", () => {
    const loaded = modulesLoadedBy(new URL("./main.ts", import.meta.url));
    expect(loaded.filter((url) => url === "node:http" || url === "http")).toEqual([]);
  });
});
