// Pure: the Node object and Lease this agent registers and renews.
import { arch, release } from "node:os";

export interface NodeFacts {
  nodeName: string;
  nodeIp: string;
  kubeletPort: number;
  podCidr: string;
  kubeletVersion: string;
}

export function nodeConditions(now: string, transition: string): Array<Record<string, string>> {
  const c = (type: string, status: string, reason: string, message: string): Record<string, string> => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: transition,
  });
  return [
    c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    c("Ready", "True", "KubeletReady", "onexit node agent is posting ready status"),
  ];
}

export function nodeStatus(f: NodeFacts, now: string, transition: string): Record<string, unknown> {
  const resources = { cpu: "64", memory: "256Gi", pods: "500", "ephemeral-storage": "1Ti" };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: nodeConditions(now, transition),
    addresses: [
      { type: "InternalIP", address: f.nodeIp },
      { type: "Hostname", address: f.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: "onexit",
      systemUUID: "onexit",
      bootID: "onexit",
      kernelVersion: release(),
      osImage: "onexit node agent (processes on the host)",
      containerRuntimeVersion: "onexit://0.1.0",
      kubeletVersion: f.kubeletVersion,
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: arch() === "x64" ? "amd64" : arch(),
    },
  };
}

export function nodeObject(f: NodeFacts, now: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: f.nodeName,
      labels: {
        "kubernetes.io/hostname": f.nodeName,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch() === "x64" ? "amd64" : arch(),
        "node.kubernetes.io/instance-type": "onexit",
      },
    },
    spec: { podCIDR: f.podCidr, podCIDRs: [f.podCidr] },
    status: nodeStatus(f, now, now),
  };
}

/** Lease renewTime is a MicroTime: RFC3339 with six fraction digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function leaseObject(
  nodeName: string,
  nodeUid: string | undefined,
  renewMs: number,
): Record<string, unknown> {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: nodeName,
      namespace: "kube-node-lease",
      ...(nodeUid
        ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }] }
        : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microTime(renewMs) },
  };
}
