// A short subset of `make faults` (faults/): a few real faults with few workflows, and 200
// generated bad inputs per kind. Correctness only: every handler exactly once, nothing lost or stuck.
// The faults that kill this host's processes (a pod's container, the coordinator at a failpoint,
// the kubelet or containerd) need the local test cluster; deleting a pod works on any cluster.
import { describe, expect, it } from "vitest";
import { badInputRows } from "../../faults/bad-input.ts";
import { catalog } from "../../faults/catalog.ts";
import { nodeKind } from "../../faults/host-processes.ts";
import { runFault } from "../../faults/run-fault.ts";
import { onLocalTestCluster } from "./install-onexit.ts";

const WORKFLOWS = 3;
const log = (line: string): void => console.log(line);
const local = onLocalTestCluster();
const kubeletNode = local && nodeKind() === "kubelet";

async function expectFaultHandled(name: string): Promise<void> {
  const fault = catalog({ load: WORKFLOWS, workflows: WORKFLOWS }).find((f) => f.name === name);
  if (fault === undefined) throw new Error(`no fault named ${name} in faults/catalog.ts`);
  const row = await runFault(fault, { workflows: WORKFLOWS, timeoutMs: 180_000, log });
  expect(row.problems).toEqual([]);
  expect(row).toMatchObject({ handlersRun: WORKFLOWS, exactlyOnce: WORKFLOWS, lost: 0, stuck: 0, ok: true });
}

describe("faults (subset of make faults)", () => {
  it.runIf(local)(
    "when the coordinator is SIGKILLed between a pod create and the status write, then every handler runs exactly once",
    () => expectFaultHandled("coordinator SIGKILL between pod create and status write"),
    360_000,
  );

  it.runIf(local)(
    "when each workflow's wait sidecar is SIGKILLed, then every handler runs exactly once",
    () => expectFaultHandled("wait sidecar SIGKILLed"),
    300_000,
  );

  it(
    "when a step pod is deleted out of band, then every handler runs exactly once",
    () => expectFaultHandled("step pod deleted out of band"),
    300_000,
  );

  it.runIf(kubeletNode)(
    "when the kubelet is SIGKILLed mid-run and restarted, then every handler runs exactly once",
    () => expectFaultHandled("kubelet SIGKILLed and restarted"),
    300_000,
  );

  it.runIf(kubeletNode)(
    "when containerd is SIGKILLed mid-run and restarted, then every handler runs exactly once",
    () => expectFaultHandled("containerd SIGKILLed and restarted"),
    300_000,
  );

  // The webhook's and coordinator's Service IPs are reached from this host (kube-proxy's or the agent's iptables).
  it.runIf(local)(
    "when 200 bad AdmissionReviews and reports of each kind arrive, then each is refused and nothing changes",
    async () => {
      const kinds = [
        "bad AdmissionReviews",
        "bad reports, valid token",
        "reports for another pod",
        "replayed reports",
      ];
      const rows = await badInputRows({ runs: 200, log, only: (name) => kinds.includes(name) });
      expect(rows.map((r) => r.fault)).toEqual(kinds);
      for (const row of rows)
        expect({ fault: row.fault, problems: row.problems }).toEqual({ fault: row.fault, problems: [] });
    },
    400_000,
  );
});
