// The AdmissionReview the API server sends for a one-step workflow's pod: the pod as the
// coordinator creates it, after the API server's defaulting and the ServiceAccount admission
// plugin (copied from a real request in the test cluster, report and injection removed).

export function stepPod(name: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: { "workflows.argoproj.io/workflow": name },
      annotations: {
        "workflows.argoproj.io/node-id": name,
        "workflows.argoproj.io/node-name": name,
      },
    },
    spec: {
      containers: [
        {
          name: "main",
          image: "alpine:3",
          command: ["sh", "-c", "exit 0"],
          imagePullPolicy: "IfNotPresent",
          resources: {},
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          volumeMounts: [
            {
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
              name: "kube-api-access-rtrll",
              readOnly: true,
            },
          ],
        },
      ],
      dnsPolicy: "ClusterFirst",
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      restartPolicy: "Never",
      schedulerName: "default-scheduler",
      securityContext: {},
      serviceAccount: "default",
      serviceAccountName: "default",
      terminationGracePeriodSeconds: 30,
      tolerations: [
        {
          effect: "NoExecute",
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          tolerationSeconds: 300,
        },
        {
          effect: "NoExecute",
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          tolerationSeconds: 300,
        },
      ],
      volumes: [
        {
          name: "kube-api-access-rtrll",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
              {
                downwardAPI: {
                  items: [
                    { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" },
                  ],
                },
              },
            ],
          },
        },
      ],
    },
  };
}

export function admissionReview(name: string, namespace: string): unknown {
  const pod = { kind: "Pod", group: "", version: "v1" };
  const pods = { group: "", version: "v1", resource: "pods" };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: "0f3c0e7a-5a6b-4b7e-9d55-bench00000001",
      kind: pod,
      resource: pods,
      requestKind: pod,
      requestResource: pods,
      name,
      namespace,
      operation: "CREATE",
      userInfo: {
        username: "system:serviceaccount:onexit:onexit-coordinator",
        uid: "5d7f0c1e-0000-4000-8000-000000000001",
        groups: ["system:serviceaccounts", "system:serviceaccounts:onexit", "system:authenticated"],
      },
      object: stepPod(name, namespace),
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
    },
  };
}
