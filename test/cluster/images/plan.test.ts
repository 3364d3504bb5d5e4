import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { finalStageRecipe } from "./dockerfile.ts";
import {
  appletLinks,
  archiveName,
  groupFile,
  imagePlans,
  keepPackagePath,
  lddPaths,
  normalizeRef,
  onexitCopies,
  passwdFile,
  upstreamVersion,
} from "./plan.ts";

const recipe = finalStageRecipe(readFileSync(new URL("../../../Dockerfile", import.meta.url), "utf8"));
const inputs = {
  recipe,
  onexitRef: "ghcr.io/onexit/onexit:0.1.0",
  nodeMajor: "24",
  curlVersion: "7.88.1",
  contextDir: "/repo",
  workDir: "/w",
};

describe("normalizeRef", () => {
  it.each([
    ["alpine", "docker.io/library/alpine:latest"],
    ["alpine:3.20", "docker.io/library/alpine:3.20"],
    ["curlimages/curl", "docker.io/curlimages/curl:latest"],
    ["ghcr.io/onexit/onexit:0.1.0", "ghcr.io/onexit/onexit:0.1.0"],
    ["localhost:5000/x", "localhost:5000/x:latest"],
    ["localhost/x:1", "localhost/x:1"],
  ])("when the reference is %s, then containerd names it %s", (ref, normalized) => {
    expect(normalizeRef(ref)).toBe(normalized);
  });
});

describe("archiveName", () => {
  it("when the image is a Docker Hub library image, then the archive has the short name", () => {
    expect(archiveName("alpine:3.20")).toBe("alpine_3.20.tar");
  });

  it("when the image names a registry, then the archive keeps it", () => {
    expect(archiveName("ghcr.io/onexit/onexit:0.1.0")).toBe("ghcr.io_onexit_onexit_0.1.0.tar");
  });
});

describe("keepPackagePath", () => {
  it.each([
    ["/usr/lib/x86_64-linux-gnu/libc.so.6", true],
    ["/usr/share/doc/libc6/copyright", false],
    ["/usr/share/locale/de/LC_MESSAGES/libc.mo", false],
    ["/usr/lib/x86_64-linux-gnu/gconv/BIG5.so", false],
    ["/usr/share/gcc/python/libstdcxx/__init__.py", false],
  ])("when the package file is %s, then kept is %s", (path, kept) => {
    expect(keepPackagePath(path)).toBe(kept);
  });
});

describe("passwdFile and groupFile", () => {
  it("when rendered, then the image's user and the chart's sidecar user have names", () => {
    expect(passwdFile()).toContain("onexit:x:10001:10001:");
    expect(passwdFile()).toContain("nonroot:x:65532:65532:");
    expect(groupFile().split("\n")[0]).toBe("root:x:0:");
  });
});

describe("onexitCopies", () => {
  it("when given the project's Dockerfile, then stage outputs come from the work directory and files from the context", () => {
    expect(onexitCopies(recipe, "/repo", "/w")).toEqual([
      { source: "/w/deps/node_modules", dest: "/app/node_modules" },
      { source: "/repo/package.json", dest: "/app/" },
      { source: "/w/build/dist", dest: "/app/dist" },
      { source: "/w/busybox", dest: "/usr/local/bin/busybox" },
    ]);
  });

  it("when the Dockerfile copies a stage output the offline build does not make, then it says where to add it", () => {
    const other = {
      ...recipe,
      copies: [{ fromStage: "build", sources: ["/app/other"], dest: "/app/other" }],
    };
    expect(() => onexitCopies(other, "/repo", "/w")).toThrow(/STAGE_OUTPUTS/);
  });
});

describe("imagePlans", () => {
  const plans = imagePlans(inputs);

  it("when planned, then the onexit image has the Dockerfile's config on the node stand-in", () => {
    const onexit = plans.find((plan) => plan.id === "onexit");
    expect(onexit?.base).toBe("node");
    expect(onexit?.refs).toEqual(["ghcr.io/onexit/onexit:0.1.0"]);
    expect(onexit?.config).toEqual({
      env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NODE_ENV: "production" },
      workdir: "/app",
      user: "10001:10001",
      entrypoint: ["node", "dist/bin/onexit.js"],
      cmd: [],
    });
  });

  it("when planned, then every base comes before the images on it", () => {
    const ids = plans.map((plan) => plan.id);
    for (const [index, plan] of plans.entries()) {
      if (plan.base !== undefined) expect(ids.indexOf(plan.base)).toBeLessThan(index);
    }
  });

  it("when planned, then the step images the examples, tests, bench and faults name are there", () => {
    const refs = plans.flatMap((plan) => plan.refs.map(normalizeRef));
    for (const ref of [
      "alpine:3.20",
      "alpine:3",
      "busybox:1.35",
      "bash:5",
      "node:24-slim",
      "curlimages/curl:7.88.1",
    ]) {
      expect(refs).toContain(normalizeRef(ref));
    }
    expect(new Set(refs.map(archiveName)).size).toBe(refs.length);
  });
});

describe("appletLinks", () => {
  it("when busybox lists its applets, then each gets a link where Alpine has it, busybox itself and non-bin paths aside", () => {
    expect(appletLinks("bin/sh\nusr/bin/env\nbin/busybox\nlinuxrc\nsbin/ip\nusr/bin/[[\n")).toEqual([
      "/bin/sh",
      "/usr/bin/env",
      "/sbin/ip",
      "/usr/bin/[[",
    ]);
  });
});

describe("upstreamVersion", () => {
  it.each([
    ["1:1.35.0-4+deb12u1+b1", "1.35.0"],
    ["7.88.1-10+deb12u14", "7.88.1"],
    ["5.2.15-2+b13", "5.2.15"],
    ["2.36", "2.36"],
  ])("when Debian's version is %s, then upstream's is %s", (debian, upstream) => {
    expect(upstreamVersion(debian)).toBe(upstream);
  });
});

describe("lddPaths", () => {
  it("when ldd lists libraries and the interpreter, then their paths, vdso aside", () => {
    const output = [
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f99a4ca5000)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f99a4dac000)",
    ].join("\n");
    expect(lddPaths(output)).toEqual(["/lib/x86_64-linux-gnu/libcurl.so.4", "/lib64/ld-linux-x86-64.so.2"]);
  });
});
