// A container or script node: create its pod once (deterministic name), then follow it
// until the report or the pod's status decides the step.
import type { V1Pod } from "@kubernetes/client-node";
import { repositoryOf } from "./artifact-repository.ts";
import { substituteDeep } from "../expr/template.ts";
import type { Artifact, NodeStatus, Template } from "../workflow.ts";
import type { Resolved } from "../expr/template.ts";
import { inputArtifactScope, resolveInputArtifacts, type InputArtifacts } from "./artifact-inputs.ts";
import { artifactPlan } from "./artifact-plan.ts";
import { withPrefix } from "./artifact-repository.ts";
import { isNodeDone } from "../workflow.ts";
import { LABEL_COMPLETED, podName } from "../../../common/names.ts";
import { shortTemplateName } from "../refs/keys.ts";
import type { Ctx, ExecRequest, TemplateCall } from "../context.ts";
import { foreignPodMessage } from "../foreign.ts";
import type { LogTailsMount } from "../log-tails.ts";
import type { ForeignObject } from "../types.ts";
import {
  finishNode,
  idOf,
  keepUnresolved,
  requestWake,
  setGlobalOutput,
  setNode,
  updateNode,
} from "../context.ts";
import { isKilled } from "../kill.ts";
import {
  awaitCreate,
  createWait,
  isAwaitingCreate,
  podRefusedMessage,
  refusal,
  vanished,
} from "./pod-create.ts";
import type { InputValue } from "./inputs.ts";
import { initTemplateNode, templateScope } from "./inputs.ts";
import { retriesScope } from "./retry.ts";
import { buildPod } from "./pod-build.ts";
import { observePod, withSidecarFailure } from "./pod-observe.ts";
import type { PodResult } from "./pod-observe.ts";
import { podOutputs } from "./pod-outputs.ts";
import { STUCK_MESSAGE_PREFIX, stuckDecision, type StuckDecision } from "./pod-stuck.ts";
import { mayDecideEarly, sidecarFailedEvent } from "./pod-recording.ts";

/** Someone else's pod holds this node's name: the node errs naming it, and an event says so. */
function failForeign(ctx: Ctx, id: string, foreign: ForeignObject): NodeStatus {
  const message = foreignPodMessage(ctx.namespace, foreign);
  ctx.actions.push({ kind: "event", type: "Warning", reason: "ForeignPod", message });
  return finishNode(ctx, id, "Error", message);
}

function serviceAccountOf(ctx: Ctx, template: Template): string | undefined {
  return (
    template.serviceAccountName ??
    ctx.wf.spec.serviceAccountName ??
    (ctx.config.defaultServiceAccountName || undefined)
  );
}

function createPod(
  ctx: Ctx,
  req: ExecRequest,
  template: Template,
  inputs: readonly InputValue[],
): string | undefined {
  const id = idOf(ctx, req.nodeName);
  const name = podNameOf(ctx.name, req.nodeName, req.templateName);
  const scope = {
    ...templateScope(req.frame.globals(), inputs),
    "pod.name": name,
    "node.name": req.nodeName,
    ...retriesScope(ctx, req.nodeName),
  };
  const artifacts = podArtifacts(ctx, { req, template, scope });
  if (!artifacts.ok) return artifacts.error;
  const { steps: _steps, dag: _dag, ...own } = template;
  const substituted = substituteDeep(own as Template, { ...scope, ...artifacts.value.scope }, keepUnresolved);
  if (!substituted.ok) return substituted.error;
  const plan = artifactPlan({
    wf: ctx.wf,
    template: substituted.value,
    inputs: artifacts.value.inputs.plan,
    repository: repositoryOf(ctx),
    scope,
  });
  if (!plan.ok) return plan.error;
  const built = buildPod({
    wf: ctx.wf,
    nodeName: req.nodeName,
    nodeID: id,
    podName: name,
    template: substituted.value,
    serviceAccountName: serviceAccountOf(ctx, substituted.value),
    onExit: req.frame.onExit,
    logTails: req.frame.logTails?.configMap?.metadata?.name,
    ...(plan.value === undefined ? {} : { artifactPlan: plan.value }),
  });
  if (!built.ok) return built.error;
  if (artifacts.value.inputs.recorded.length > 0)
    recordInputArtifacts(ctx, id, artifacts.value.inputs.recorded);
  if (req.frame.logTails !== undefined) askForLogTails(ctx, req.frame.logTails);
  ctx.actions.push({ kind: "createPod", pod: built.value, exitHandler: req.frame.onExit });
  updateNode(ctx, id, { podName: name });
  return undefined;
}

interface PodArtifacts {
  inputs: InputArtifacts;
  /** `inputs.artifacts.<name>.path` and the like, for the template's own fields. */
  scope: Record<string, string>;
}

/** The pod's input artifacts, resolved from its caller's arguments. */
function podArtifacts(
  ctx: Ctx,
  call: { req: ExecRequest; template: Template; scope: Record<string, string> },
): Resolved<PodArtifacts> {
  const repository = repositoryOf(ctx);
  const s3 = repository === undefined ? undefined : withPrefix(repository, "");
  // The template's own inputs may use the workflow's variables (`from: "{{onexit.failedLogs}}"`).
  const own = substituteDeep(call.template.inputs?.artifacts ?? [], call.scope, keepUnresolved);
  if (!own.ok) return own;
  const template = { ...call.template, inputs: { ...call.template.inputs, artifacts: own.value } };
  const inputs = resolveInputArtifacts(template, call.req.args, s3);
  if (!inputs.ok) return inputs;
  return { ok: true, value: { inputs: inputs.value, scope: inputArtifactScope(inputs.value.recorded) } };
}

function recordInputArtifacts(ctx: Ctx, id: string, artifacts: Artifact[]): void {
  const node = ctx.nodes[id];
  if (node === undefined) return;
  updateNode(ctx, id, { inputs: { ...node.inputs, artifacts } });
}

/** Before a pod that mounts the log tails: their ConfigMap, and why it is not the usual one (once a pass). */
function askForLogTails(ctx: Ctx, mount: LogTailsMount): void {
  const { configMap, note } = mount;
  const name = configMap?.metadata?.name;
  const hasConfigMap = ctx.actions.some(
    (a) => a.kind === "createConfigMap" && a.configMap.metadata?.name === name,
  );
  if (configMap !== undefined && !hasConfigMap) ctx.actions.push({ kind: "createConfigMap", configMap });
  const hasNote = ctx.actions.some((a) => a.kind === "event" && a.message === note);
  if (note !== undefined && !hasNote)
    ctx.actions.push({ kind: "event", type: "Warning", reason: "ExitHandlerLogs", message: note });
}

function resultPatch(ctx: Ctx, template: Template, result: PodResult): Partial<NodeStatus> {
  const { outputs, globals, missing } = podOutputs(template, result);
  for (const [name, value] of Object.entries(globals)) setGlobalOutput(ctx, name, value);
  const patch: Partial<NodeStatus> = {
    phase: result.phase,
    finishedAt: result.finishedAt ?? ctx.nowIso,
    outputs,
  };
  if (result.message !== undefined) patch.message = result.message;
  if (missing !== undefined && result.phase === "Succeeded") {
    patch.phase = "Error";
    patch.message = withSidecarFailure(missing, result.sidecarFailure);
  }
  if (result.logBytes !== undefined) patch.logBytes = result.logBytes;
  return patch;
}

function record(
  ctx: Ctx,
  node: NodeStatus,
  template: Template,
  seen: { result: PodResult; pod: V1Pod },
): NodeStatus {
  const { result, pod } = seen;
  const patch = resultPatch(ctx, template, result);
  if (pod.spec?.nodeName) patch.hostNodeName = pod.spec.nodeName;
  if (result.sidecarFailure !== undefined)
    ctx.actions.push(sidecarFailedEvent(node, pod, result.sidecarFailure));
  const labelled = pod.metadata?.labels?.[LABEL_COMPLETED] === "true";
  // Decided before its report: labelled once the report is in (pod-recording.ts).
  if (!labelled && pod.metadata?.deletionTimestamp === undefined && result.reportAwaited !== true) {
    ctx.actions.push({ kind: "labelPodCompleted", name: pod.metadata?.name ?? "" });
  }
  return updateNode(ctx, node.id, patch);
}

/** The node's pod is not (or no longer) ours to see: someone else's, refused, still to be created, or gone. */
function withoutPod(ctx: Ctx, req: ExecRequest, node: NodeStatus, run: Run): NodeStatus {
  const name = node.podName ?? podNameOf(ctx.name, req.nodeName, req.templateName);
  const foreign = ctx.foreignPods.get(name);
  if (foreign !== undefined) return failForeign(ctx, node.id, foreign);
  const refused = refusal(ctx, name);
  if (refused !== undefined) return finishNode(ctx, node.id, "Error", podRefusedMessage(refused));
  const wait = createWait(ctx, node, name);
  if (wait !== undefined) return retryCreate(ctx, req, node, { ...run, wait });
  return vanished(ctx, node);
}

/** The node as its pod found it: no create wait any more, and its pod's name. */
function adopt(ctx: Ctx, observed: NodeStatus, pod: V1Pod): NodeStatus {
  let node = observed;
  if (isAwaitingCreate(node)) {
    const { message: _createWait, ...created } = node;
    setNode(ctx, created);
    node = created;
  }
  // Argo's CLI drops podName when it writes the status (argo suspend, resume): the pod tells again.
  if (node.podName === undefined && pod.metadata?.name !== undefined)
    node = updateNode(ctx, node.id, { podName: pod.metadata.name });
  return node;
}

function follow(ctx: Ctx, observed: NodeStatus, template: Template, pod: V1Pod): NodeStatus {
  const node = adopt(ctx, observed, pod);
  const early = (template.outputs?.parameters ?? []).length === 0 && mayDecideEarly(ctx);
  const seen = observePod(pod, early);
  if (seen.state === "done") return record(ctx, node, template, { result: seen, pod });
  const stuck = stuckDecision(pod, ctx.now.getTime(), ctx.config.stuckPodGraceMs);
  if (stuck?.kind === "fail") return failStuck(ctx, node, pod, stuck.message);
  const patch: Partial<NodeStatus> = { phase: seen.state === "running" ? "Running" : node.phase };
  if (seen.hostNodeName) patch.hostNodeName = seen.hostNodeName;
  return updateNode(ctx, node.id, { ...patch, ...stuckMessage(ctx, node, stuck) });
}

/** While the pod is stuck its reason is the node's message; once it moves on, the message goes. */
function stuckMessage(ctx: Ctx, node: NodeStatus, stuck: StuckDecision | undefined): Partial<NodeStatus> {
  if (stuck === undefined)
    return node.message?.startsWith(STUCK_MESSAGE_PREFIX) ? { message: undefined } : {};
  if (stuck.kind === "waiting") requestWake(ctx, stuck.wakeAfterMs);
  return { message: stuck.message };
}

/** The kubelet would retry forever: the pod goes, the step ends in Error naming why (pod-stuck.ts). */
function failStuck(ctx: Ctx, node: NodeStatus, pod: V1Pod, message: string): NodeStatus {
  const name = node.podName ?? pod.metadata?.name;
  if (name !== undefined) ctx.actions.push({ kind: "deletePod", name, reason: message });
  return finishNode(ctx, node.id, "Error", message);
}

function kill(ctx: Ctx, node: NodeStatus, pod: V1Pod | undefined): NodeStatus {
  const message = ctx.kill?.nodeMessage ?? "stopped";
  const name = node.podName ?? pod?.metadata?.name;
  if (name !== undefined) ctx.actions.push({ kind: "deletePod", name, reason: message });
  return finishNode(ctx, node.id, "Failed", message);
}

function startPod(ctx: Ctx, req: ExecRequest, template: Template, inputs: readonly InputValue[]): NodeStatus {
  const id = initTemplateNode(ctx, req, { type: "Pod", phase: "Pending" }, inputs).id;
  if (isKilled(ctx, req.frame.onExit)) return finishNode(ctx, id, "Failed", ctx.kill?.nodeMessage);
  // Refused before the status naming the pod was written (or read back): do not ask again.
  const podName = podNameOf(ctx.name, req.nodeName, req.templateName);
  const refused = refusal(ctx, podName);
  if (refused !== undefined) {
    updateNode(ctx, id, { podName });
    return finishNode(ctx, id, "Error", podRefusedMessage(refused));
  }
  const foreign = ctx.foreignPods.get(podName);
  if (foreign !== undefined) {
    updateNode(ctx, id, { podName });
    return failForeign(ctx, id, foreign);
  }
  const error = createPod(ctx, req, template, inputs);
  if (error !== undefined) return finishNode(ctx, id, "Error", error);
  const wait = createWait(ctx, ctx.nodes[id] as NodeStatus, podName);
  return wait === undefined ? (ctx.nodes[id] as NodeStatus) : awaitCreate(ctx, id, wait);
}

interface Run {
  template: Template;
  inputs: readonly InputValue[];
}

/** A Pending node whose pod is still to be created: ask again, unless the workflow is being stopped. */
function retryCreate(ctx: Ctx, req: ExecRequest, node: NodeStatus, run: Run & { wait: string }): NodeStatus {
  if (isKilled(ctx, req.frame.onExit)) return finishNode(ctx, node.id, "Failed", ctx.kill?.nodeMessage);
  const error = createPod(ctx, req, run.template, run.inputs);
  if (error !== undefined) return finishNode(ctx, node.id, "Error", error);
  return awaitCreate(ctx, node.id, run.wait);
}

/**
 * A pod left by an earlier run of this node, never to be read for it: its result was recorded
 * (labelled completed) yet the node is not done, or it is being deleted while the node has no pod
 * of its own yet. `argo retry` removes the failed nodes (and the exit handler's) from the status
 * and deletes their pods; the node runs again under the same pod name, and a pod the cache still
 * shows must not hand it the old result.
 */
function earlierRun(pod: V1Pod, node: NodeStatus | undefined): boolean {
  if (node !== undefined && isNodeDone(node.phase)) return false;
  if (pod.metadata?.labels?.[LABEL_COMPLETED] === "true") return true;
  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  return deleting && (node === undefined || isAwaitingCreate(node));
}

/** The node waits (Pending, saying why) until the earlier run's pod is gone, then creates its own. */
function awaitEarlierPod(ctx: Ctx, call: TemplateCall, pod: V1Pod): NodeStatus {
  const { req, inputs } = call;
  const id = initTemplateNode(ctx, req, { type: "Pod", phase: "Pending" }, inputs).id;
  if (isKilled(ctx, req.frame.onExit)) return finishNode(ctx, id, "Failed", ctx.kill?.nodeMessage);
  const name = pod.metadata?.name ?? "";
  updateNode(ctx, id, { podName: name });
  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (!deleting)
    ctx.actions.push({ kind: "deletePod", name, reason: "a pod of an earlier run of this node" });
  return awaitCreate(ctx, id, `waiting for pod ${name} of an earlier run to be deleted`);
}

/** A suspended workflow's pod node: its pod's result is recorded, its template is not executed. */
export function observePodNode(ctx: Ctx, node: NodeStatus): void {
  if (isNodeDone(node.phase)) return;
  const pod = ctx.pods.get(node.podName ?? podNameOf(ctx.name, node.name, node.templateName));
  const template = ctx.templates.get(node.templateName);
  if (pod === undefined || template === undefined || earlierRun(pod, node)) return;
  follow(ctx, node, template, pod);
}

export function executePod(ctx: Ctx, call: TemplateCall): NodeStatus {
  const { req, template, inputs } = call;
  const id = idOf(ctx, req.nodeName);
  const name = podNameOf(ctx.name, req.nodeName, req.templateName);
  const pod = ctx.pods.get(name);
  let node = ctx.nodes[id];
  if (node !== undefined && isNodeDone(node.phase)) return node;
  if (pod !== undefined && earlierRun(pod, node)) return awaitEarlierPod(ctx, call, pod);
  if (node === undefined && pod === undefined) return startPod(ctx, req, template, inputs);
  if (node === undefined) {
    // The pod exists but the status that recorded it was lost: adopt it, never create it again.
    initTemplateNode(ctx, req, { type: "Pod", phase: "Pending" }, inputs);
    node = updateNode(ctx, id, { podName: name });
  }
  const followed =
    pod === undefined ? withoutPod(ctx, req, node, { template, inputs }) : follow(ctx, node, template, pod);
  if (isNodeDone(followed.phase) || !isKilled(ctx, req.frame.onExit)) return followed;
  return kill(ctx, followed, pod);
}

/** Argo's pod name, with a referenced template's own name (refs/keys.ts), as Argo's GetTemplateFromNode. */
function podNameOf(workflowName: string, nodeName: string, templateName: string): string {
  return podName(workflowName, nodeName, shortTemplateName(templateName));
}
