// A workflow's key, "namespace/name" (client-go's MetaNamespaceKey): how the coordinator's work
// queue, caches, expectations and logs name one Workflow, and how the e2e tests find its log
// lines. Built and parsed only here. Neither part can contain "/" (both are DNS names).

/** "namespace/name" of one Workflow. */
export type WorkflowKey = `${string}/${string}`;

export function workflowKey(namespace: string, name: string): WorkflowKey {
  return `${namespace}/${name}`;
}

/** The key of a namespaced object from its metadata: a Workflow's is its WorkflowKey. */
export function objectKey(object: { metadata?: { namespace?: string; name?: string } }): WorkflowKey {
  return workflowKey(object.metadata?.namespace ?? "", object.metadata?.name ?? "");
}

export function parseWorkflowKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  if (slash < 0) return { namespace: "", name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
