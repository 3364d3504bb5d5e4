import { describe, expect, it } from "vitest";
import { buildSteps, configArgs, CONTAINER, localName, pushSteps } from "./buildah.ts";
import type { ImagePlan } from "./plan.ts";

const plan: ImagePlan = {
  id: "onexit",
  base: "node",
  copies: [{ source: "/repo/package.json", dest: "/app/" }],
  config: {
    env: { NODE_ENV: "production" },
    workdir: "/app",
    user: "10001:10001",
    entrypoint: ["node", "x.js"],
    cmd: [],
  },
  refs: ["ghcr.io/onexit/onexit:0.1.0", "alpine:3"],
};

describe("configArgs", () => {
  it("when the plan sets every field, then buildah gets them in exec form and the base CMD is cleared", () => {
    expect(configArgs(plan.config)).toEqual([
      "--env",
      "NODE_ENV=production",
      "--workingdir",
      "/app",
      "--user",
      "10001:10001",
      "--entrypoint",
      '["node","x.js"]',
      "--cmd",
      "",
    ]);
  });

  it("when only env and cmd are set, then nothing else is touched", () => {
    expect(configArgs({ env: { PATH: "/bin" }, cmd: ["sh"] })).toEqual([
      "--env",
      "PATH=/bin",
      "--cmd",
      '["sh"]',
    ]);
  });
});

describe("buildSteps", () => {
  it("when the plan has a base, then it starts from the base's local build and commits under its own key", () => {
    const steps = buildSteps(plan, "k".repeat(64), "localhost/onexit-build/node:abc");
    expect(steps.from).toEqual(["from", "--pull-never", "localhost/onexit-build/node:abc"]);
    expect(steps.steps[0]).toEqual(["copy", CONTAINER, "/repo/package.json", "/app/"]);
    expect(steps.steps[1]).toEqual(["config", "--cmd", "", CONTAINER]);
    expect(steps.steps.at(-1)).toEqual([
      "commit",
      "--quiet",
      "--rm",
      "--format",
      "docker",
      CONTAINER,
      localName("onexit", "k".repeat(64)),
    ]);
  });

  it("when the plan has no base, then it starts from scratch", () => {
    expect(buildSteps({ ...plan, base: undefined }, "k", undefined).from).toEqual([
      "from",
      "--pull-never",
      "scratch",
    ]);
  });
});

describe("pushSteps", () => {
  it("when an image has two references, then one archive each, named as containerd will", () => {
    expect(pushSteps(plan, "sha256:1", "/c/images")).toEqual([
      {
        archive: "/c/images/ghcr.io_onexit_onexit_0.1.0.tar",
        args: [
          "push",
          "--quiet",
          "sha256:1",
          "docker-archive:/c/images/ghcr.io_onexit_onexit_0.1.0.tar.partial:ghcr.io/onexit/onexit:0.1.0",
        ],
      },
      {
        archive: "/c/images/alpine_3.tar",
        args: [
          "push",
          "--quiet",
          "sha256:1",
          "docker-archive:/c/images/alpine_3.tar.partial:docker.io/library/alpine:3",
        ],
      },
    ]);
  });
});
