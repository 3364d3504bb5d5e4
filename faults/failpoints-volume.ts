// The failpoints directory in the coordinator's container, for the test cluster only: a helm
// post-renderer (failpoints-post-renderer.ts) adds it to the rendered chart, so the chart itself
// has no such volume and a user's install never gets one. On the kubelet node the coordinator
// runs in a container and sees no host directory otherwise; on the agent the mount is the same path.
import { parse, stringify } from "yaml";

const VOLUME = "onexit-test-failpoints";

interface Container {
  name?: string;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface Deployment {
  kind?: string;
  metadata?: { labels?: Record<string, string> };
  spec?: {
    template?: { spec?: { containers?: Container[]; volumes?: Record<string, unknown>[] } };
  };
}

function isCoordinator(doc: Deployment): boolean {
  return doc.kind === "Deployment" && doc.metadata?.labels?.["app.kubernetes.io/component"] === "coordinator";
}

/** The manifests with the host directory `dir` mounted at the same path in the coordinator container. */
export function withFailpointsVolume(manifests: string, dir: string): string {
  let found = false;
  // Split at document markers so every other document passes through byte for byte.
  const docs = manifests.split(/^---[^\S\n]*$/m).map((text) => {
    const doc = parse(text) as Deployment | null;
    if (doc === null || !isCoordinator(doc)) return text;
    const pod = doc.spec?.template?.spec;
    const container = pod?.containers?.find((c) => c.name === "coordinator");
    if (pod === undefined || container === undefined) return text;
    found = true;
    // DirectoryOrCreate: the test setup makes it first, writable by the coordinator's user.
    pod.volumes = [
      ...(pod.volumes ?? []),
      { name: VOLUME, hostPath: { path: dir, type: "DirectoryOrCreate" } },
    ];
    container.volumeMounts = [...(container.volumeMounts ?? []), { name: VOLUME, mountPath: dir }];
    return `\n${stringify(doc)}`;
  });
  if (!found) throw new Error("failpoints post-renderer: no coordinator Deployment in the rendered chart");
  return docs.join("---");
}
