// The per-pod /etc/hosts: the pod itself and every Service by its DNS names.

export interface ServiceName {
  name: string;
  namespace: string;
  /** ClusterIP, or for headless Services the ready endpoint addresses. */
  ips: string[];
}

export interface HostsInput {
  podIP: string;
  hostname: string;
  subdomain?: string;
  namespace: string;
  services: readonly ServiceName[];
}

export function serviceHostnames(svc: ServiceName, podNamespace: string): string[] {
  const long = [
    `${svc.name}.${svc.namespace}`,
    `${svc.name}.${svc.namespace}.svc`,
    `${svc.name}.${svc.namespace}.svc.cluster.local`,
  ];
  return svc.namespace === podNamespace ? [svc.name, ...long] : long;
}

export function renderHostsFile(input: HostsInput): string {
  const lines = [
    "# Kubernetes-managed hosts file (onexit node agent).",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
  ];
  const self = [input.hostname];
  if (input.subdomain) {
    self.unshift(`${input.hostname}.${input.subdomain}.${input.namespace}.svc.cluster.local`);
  }
  if (input.podIP) lines.push(`${input.podIP}\t${self.join(" ")}`);
  const sorted = [...input.services].sort((a, b) =>
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
  );
  for (const svc of sorted) {
    const names = serviceHostnames(svc, input.namespace).join(" ");
    for (const ip of svc.ips) lines.push(`${ip}\t${names}`);
  }
  return `${lines.join("\n")}\n`;
}
