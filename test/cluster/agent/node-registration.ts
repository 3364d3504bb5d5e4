// Registers the Node, keeps its Ready status fresh and renews its Lease every 10 s.
import { isStatus, type KubeClient } from "./kube-client.ts";
import { leaseObject, microTime, nodeObject, nodeStatus, type NodeFacts } from "./node-object.ts";
import { kubeTime } from "./pod-status.ts";

const LEASE_PERIOD_MS = 10_000;
const STATUS_PERIOD_MS = 60_000;

async function kubeletVersion(client: KubeClient): Promise<string> {
  try {
    return (await client.request<{ gitVersion: string }>("GET", "/version")).gitVersion;
  } catch {
    return "v0.0.0-onexit";
  }
}

export interface NodeRegistration {
  stop(): void;
}

export async function registerNode(
  client: KubeClient,
  base: Omit<NodeFacts, "kubeletVersion">,
): Promise<NodeRegistration> {
  const facts: NodeFacts = { ...base, kubeletVersion: await kubeletVersion(client) };
  const nodePath = `/api/v1/nodes/${facts.nodeName}`;
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${facts.nodeName}`;
  const startedAt = kubeTime(Date.now());
  let nodeUid: string | undefined;

  const postStatus = async (): Promise<void> => {
    const now = kubeTime(Date.now());
    try {
      const node = await client.request<{ metadata: { uid: string } }>("PATCH", `${nodePath}/status`, {
        body: { status: nodeStatus(facts, now, startedAt) },
        contentType: "application/strategic-merge-patch+json",
      });
      nodeUid = node.metadata.uid;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
      const node = await client.request<{ metadata: { uid: string } }>("POST", "/api/v1/nodes", {
        body: nodeObject(facts, now),
      });
      nodeUid = node.metadata.uid;
    }
  };

  const renewLease = async (): Promise<void> => {
    try {
      const lease = await client.request<Record<string, unknown> & { spec: Record<string, unknown> }>(
        "GET",
        leasePath,
      );
      lease.spec = {
        ...lease.spec,
        holderIdentity: facts.nodeName,
        leaseDurationSeconds: 40,
        renewTime: microTime(Date.now()),
      };
      await client.request("PUT", leasePath, { body: lease });
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
      await client.request("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
        body: leaseObject(facts.nodeName, nodeUid, Date.now()),
      });
    }
  };

  const guarded = (what: string, fn: () => Promise<void>) => (): void => {
    fn().catch((err: unknown) => console.error(`${what}: ${(err as Error).message}`));
  };
  for (;;) {
    try {
      await postStatus();
      await renewLease();
      break;
    } catch (err) {
      console.error(`node registration: ${(err as Error).message}; retrying`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  const leaseTimer = setInterval(guarded("lease", renewLease), LEASE_PERIOD_MS);
  const statusTimer = setInterval(guarded("node status", postStatus), STATUS_PERIOD_MS);
  return {
    stop(): void {
      clearInterval(leaseTimer);
      clearInterval(statusTimer);
    },
  };
}
