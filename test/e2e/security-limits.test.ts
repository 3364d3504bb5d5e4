// Limits that hold for everyone, whoever asks (docs/SECURITY.md): the webhook refuses a malformed
// AdmissionReview, a huge loop is refused before any pod exists, and a namespace enforcing Pod
// Security `restricted` runs compliant workflows (the injected sidecar passes) and refuses the rest.
import { describe, expect, it } from "vitest";
import { ANNOTATION_REPORT, WAIT_CONTAINER } from "../../common/names.ts";
import { call, coordinatorTarget, getPod, serviceEndpoints } from "./attacker.ts";
import { kubectl, uniqueNamespace } from "./kube.ts";
import { E2E_NAMESPACE as ns, createWorkflow, waitForWorkflowDone } from "./workflow-helpers.ts";

describe("limits that hold for everyone", () => {
  it("when the webhook gets a malformed AdmissionReview, then 400 says what is wrong", async () => {
    const [endpoint] = serviceEndpoints("onexit-webhook", "https");
    if (endpoint === undefined) throw new Error("service onexit-webhook has no ready endpoint");
    const webhook = { endpoint, serverName: "onexit-webhook.onexit.svc", ca: coordinatorTarget().ca };
    const wrongKind = await call(webhook, { path: "/mutate", body: { apiVersion: "v1", kind: "Pod" } });
    expect(wrongKind).toMatchObject({
      status: 400,
      error: "expected admission.k8s.io/v1 AdmissionReview, got v1/Pod",
    });
    const noRequest = await call(webhook, {
      path: "/mutate",
      body: { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" },
    });
    expect(noRequest.status).toBe(400);
    expect(noRequest.error).toMatch(/^malformed AdmissionReview: request/);
  });

  it("when a loop asks for 200,000 items, then the workflow is refused with a message naming the limit", async () => {
    const name = createWorkflow(
      ns,
      JSON.stringify({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { generateName: "sec-huge-loop-" },
        spec: {
          entrypoint: "main",
          templates: [
            {
              name: "main",
              steps: [[{ name: "each", template: "echo", withSequence: { count: "200000" } }]],
            },
            { name: "echo", container: { image: "alpine:3.20", command: ["true"] } },
          ],
        },
      }),
    );
    const workflow = await waitForWorkflowDone(ns, name);
    expect(workflow.status?.phase).toBe("Failed");
    expect(JSON.stringify(workflow.status)).toContain(
      "withSequence has 200000 items, more than the 10000 onexit allows",
    );
    expect(
      kubectl(["-n", ns, "get", "pods", "-l", `workflows.argoproj.io/workflow=${name}`, "-o", "name"]).trim(),
    ).toBe("");
  });

  it("when a namespace enforces Pod Security restricted, then compliant workflows run with their sidecar and others are refused by name", async () => {
    const restricted = await uniqueNamespace("sec-restricted");
    kubectl(["label", "namespace", restricted, "pod-security.kubernetes.io/enforce=restricted"]);
    const locked = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
    const workflow = (prefix: string, compliant: boolean): string =>
      JSON.stringify({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { generateName: `${prefix}-` },
        spec: {
          entrypoint: "main",
          onExit: "handler",
          ...(compliant
            ? {
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 65532,
                  seccompProfile: { type: "RuntimeDefault" },
                },
              }
            : {}),
          templates: ["main", "handler"].map((t) => ({
            name: t,
            container: {
              image: "alpine:3.20",
              command: ["sh", "-c", `echo ${t}`],
              ...(compliant ? { securityContext: locked } : {}),
            },
          })),
        },
      });
    try {
      const good = createWorkflow(restricted, workflow("compliant", true));
      expect((await waitForWorkflowDone(restricted, good)).status?.phase).toBe("Succeeded");
      const pod = getPod(restricted, good);
      expect(pod.spec.containers.map((c) => c.name)).toEqual(["main", WAIT_CONTAINER]);
      expect(pod.metadata.annotations?.[ANNOTATION_REPORT]).toBeDefined();
      const bad = createWorkflow(restricted, workflow("careless", false));
      const refused = await waitForWorkflowDone(restricted, bad);
      expect(refused.status?.phase).toBe("Error");
      expect(refused.status?.nodes?.[bad]?.message).toMatch(/violates PodSecurity "restricted:latest"/);
    } finally {
      kubectl(["delete", "namespace", restricted, "--wait=false"]);
    }
  });
});
