import { describe, expect, it } from "vitest";
import type { Usage } from "./sampler.ts";
import {
  cpuByProcess,
  ratio,
  renderSideBySide,
  sideBySide,
  withOnexit,
  type SystemMeasure,
} from "./side-table.ts";

const usage: Usage = {
  wallSec: 60,
  machineBusySec: 100,
  machineCores: 2,
  components: [
    { component: "kube-apiserver", pids: [1], cpuSec: 20, childrenCpuSec: 0, peakRssMiB: 0, runDelaySec: 0 },
    { component: "agent", pids: [2], cpuSec: 10, childrenCpuSec: 50, peakRssMiB: 0, runDelaySec: 0 },
    { component: "coordinator", pids: [3], cpuSec: 6, childrenCpuSec: 0, peakRssMiB: 0, runDelaySec: 0 },
    { component: "coordinator", pids: [4], cpuSec: 4, childrenCpuSec: 0, peakRssMiB: 0, runDelaySec: 0 },
    { component: "webhook", pids: [5], cpuSec: 2, childrenCpuSec: 0, peakRssMiB: 0, runDelaySec: 0 },
  ],
  sidecars: [
    { kind: "sidecar", pod: "a", cmdline: "", pid: 9, startEpochMs: 0, peakRssMiB: 50, cpuSec: 15 },
    { kind: "sidecar", pod: "b", cmdline: "", pid: 10, startEpochMs: 0, peakRssMiB: 50, cpuSec: 5 },
  ],
};

function measure(p50: number, perMin: number, controller: number): SystemMeasure {
  const lat = { p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 };
  return {
    handlerStartMs: { c1: lat, c100: lat },
    handlerStartFailedStepMs: lat,
    throughputPerMin: { c100: perMin },
    cpuByProcess: {
      apiServer: 0.2,
      etcd: 0.05,
      controllerManager: 0.01,
      agent: 0.1,
      coordinatorOrController: controller,
      webhook: 0,
      sidecarsOrArgoexec: 0.5,
      mainAndPodPlumbing: 0.3,
      restOfHost: 0.1,
    },
  };
}

describe("cpuByProcess", () => {
  it("when a level's usage is divided by its workflows, then replicas add up, the pods' rest is the agent's children less the sidecars, and the host's rest is what no sampled process used", () => {
    expect(cpuByProcess(usage, 10)).toEqual({
      apiServer: 2,
      etcd: 0,
      controllerManager: 0,
      agent: 1,
      coordinatorOrController: 1,
      webhook: 0.2,
      sidecarsOrArgoexec: 2,
      mainAndPodPlumbing: 3,
      restOfHost: 0.8,
    });
  });
});

describe("sideBySide", () => {
  const s = sideBySide({
    onexit: measure(100, 60, 0.1),
    argoDefault: measure(1000, 30, 0.05),
    argo1s: measure(200, 35, 0.08),
  });

  it("when three systems are measured, then each metric holds onexit, argoDefault and argo1s, own CPU summing controller, webhook and executors", () => {
    expect(s.handlerStartMs.argo1s.c100?.p99).toBe(600);
    expect(s.ownCpuSecondsPerWorkflow).toEqual({ onexit: 0.6, argoDefault: 0.55, argo1s: 0.58 });
    expect(s.controllerCpuSecondsPerWorkflow).toEqual({ onexit: 0.1, argoDefault: 0.05, argo1s: 0.08 });
  });

  it("when the table is printed, then every row carries both ratios", () => {
    const text = renderSideBySide(s);
    expect(text).toContain("handler start ms, c100 p50");
    expect(text).toMatch(/throughput wf\/min, c100 .*\| +60\.0 \| +30\.0 \| +35\.0 \| +2\.0 \| +1\.7 \|/);
  });

  it("when onexit's second run replaces the first, then Argo's columns stay", () => {
    const again = withOnexit(s, measure(300, 50, 0.2));
    expect(again.throughputPerMin).toEqual({
      onexit: { c100: 50 },
      argoDefault: { c100: 30 },
      argo1s: { c100: 35 },
    });
  });
});

describe("ratio", () => {
  it("when the other is zero or missing, then the ratio is NaN", () => {
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(1, 4)).toBe(0.25);
  });
});
