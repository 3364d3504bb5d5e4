import { describe, expect, it } from "vitest";
import { imageRepository, resolveEntrypoint } from "./image-table.ts";

describe("imageRepository", () => {
  it("when the image has a registry with a port, a tag and a digest, then only the repository remains", () => {
    expect(imageRepository("localhost:5000/a/onexit:1.0@sha256:abc")).toBe("localhost:5000/a/onexit");
    expect(imageRepository("localhost:5000/a/onexit")).toBe("localhost:5000/a/onexit");
    expect(imageRepository("onexit:dev")).toBe("onexit");
  });
});

describe("resolveEntrypoint", () => {
  it("when the image is the onexit image, then the repo's node runs the compiled dist/bin/onexit.js with the args", () => {
    const e = resolveEntrypoint(
      { image: "ghcr.io/onexit/onexit:0.1.0", command: ["ignored"], args: ["sidecar"] },
      "/r",
    );
    expect(e).toEqual({ ok: true, argv: ["/r/node_modules/.bin/node", "/r/dist/bin/onexit.js", "sidecar"] });
  });

  it("when another image has a command, then command and args run on the host", () => {
    const e = resolveEntrypoint({ image: "alpine:latest", command: ["sh", "-c"], args: ["echo hi"] }, "/r");
    expect(e).toEqual({ ok: true, argv: ["sh", "-c", "echo hi"] });
  });

  it("when another image has no command, then it cannot run", () => {
    const e = resolveEntrypoint({ image: "nginx", args: ["x"] }, "/r");
    expect(e).toMatchObject({ ok: false, reason: "ContainerCannotRun" });
    expect(e.ok ? "" : e.message).toContain("no known entrypoint");
  });

  it("when the container is Argo's executor (its image, or a command ending in argoexec), then the host's argoexec from PATH runs", () => {
    const init = {
      image: "quay.io/argoproj/argoexec:v4.0.5",
      command: ["argoexec", "init"],
      args: ["--loglevel", "info"],
    };
    expect(resolveEntrypoint(init, "/r")).toEqual({
      ok: true,
      argv: ["argoexec", "init", "--loglevel", "info"],
    });
    const main = {
      image: "alpine:3",
      command: ["/var/run/argo/argoexec", "emissary", "--", "sh", "-c", "exit 0"],
    };
    expect(resolveEntrypoint(main, "/r")).toEqual({
      ok: true,
      argv: ["argoexec", "emissary", "--", "sh", "-c", "exit 0"],
    });
  });
});
