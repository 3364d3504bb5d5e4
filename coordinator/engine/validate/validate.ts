// Checks a workflow before anything runs, as Argo's validator does: template references,
// DAG shape, required inputs, enums, retry limits and variables. The first problem found
// is returned as a message naming where it is; a workflow with one goes to Error.
import { checkArtifacts } from "./artifacts.ts";
import type {
  Arguments,
  DagTask,
  LifecycleHook,
  Parameter,
  Template,
  Workflow,
  WorkflowStep,
} from "../workflow.ts";
import { planDagStatic } from "../nodes/dag-plan.ts";
import { exitHookOf, hookArguments, workflowExitHook } from "../nodes/hooks.ts";
import { enumError, rawValue } from "../nodes/inputs.ts";
import { loopFieldsOf } from "../nodes/loops.ts";
import { podDeadline } from "../nodes/pod-build.ts";
import { validRetryPolicy } from "../nodes/retry.ts";
import { suspendDurationMs } from "../nodes/suspend.ts";
import { BoundedMemo } from "../memo.ts";
import { refusedFields } from "./fields-check.ts";
import { validateVariables } from "./variables.ts";

type Templates = ReadonlyMap<string, Template>;

// templateRef is resolved before validation (refs/resolve.ts): none is left here.
const UNSUPPORTED_STEP_FIELDS = ["inline"];
const UNSUPPORTED_TEMPLATE_TYPES = ["resource", "http", "plugin", "containerSet", "data"];

function inputProblem(template: Template, param: Parameter, args: Arguments): string | undefined {
  const value = rawValue(param, args);
  if (value === undefined)
    return `inputs.parameters.${param.name} of template "${template.name}" was not supplied`;
  return String(value).includes("{{") ? undefined : enumError("inputs.parameters", param, String(value));
}

function missingInput(template: Template, args: Arguments | undefined): string | undefined {
  for (const param of template.inputs?.parameters ?? []) {
    const problem = inputProblem(template, param, args ?? {});
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkCall(
  templates: Templates,
  where: string,
  templateName: string,
  args: Arguments | undefined,
): string | undefined {
  const template = templates.get(templateName);
  if (template === undefined) return `${where}.template "${templateName}" not found`;
  const missing = missingInput(template, args);
  return missing === undefined ? undefined : `${where}: ${missing}`;
}

function checkHook(
  templates: Templates,
  wf: Workflow,
  where: string,
  hook: LifecycleHook | undefined,
): string | undefined {
  if (hook === undefined) return undefined;
  return checkCall(templates, `${where}.onExit`, hook.template, hookArguments(wf, hook));
}

/** Argo's addItemsToScope checks: one kind of loop, and a sequence bounded by count or end, not both. */
function checkLoop(where: string, step: WorkflowStep | DagTask): string | undefined {
  const fields = loopFieldsOf(step);
  if (fields.length > 1)
    return `${where}.${fields[1]}: only one of withItems, withParam, withSequence can be specified`;
  if (step.withItems != null && !Array.isArray(step.withItems)) return `${where}.withItems must be a list`;
  if (step.withParam != null && typeof step.withParam !== "string")
    return `${where}.withParam must be a string`;
  const sequence = step.withSequence;
  if (sequence == null) return undefined;
  if (typeof sequence !== "object" || Array.isArray(sequence))
    return `${where}.withSequence must be an object`;
  if (sequence.count != null && sequence.end != null)
    return `${where}.withSequence: only one of count or end can be defined in withSequence`;
  return undefined;
}

function checkStep(
  templates: Templates,
  wf: Workflow,
  where: string,
  step: WorkflowStep | DagTask,
): string | undefined {
  if (!step.name) return `${where}.name is required`;
  const unsupported = UNSUPPORTED_STEP_FIELDS.find(
    (field) => (step as unknown as Record<string, unknown>)[field] != null,
  );
  if (unsupported !== undefined) return `${where}.${unsupported} is not supported by onexit`;
  return (
    checkLoop(where, step) ??
    checkCall(templates, where, step.template, step.arguments) ??
    checkHook(templates, wf, where, exitHookOf(step))
  );
}

function checkSteps(templates: Templates, wf: Workflow, template: Template): string | undefined {
  const names = new Set<string>();
  for (const [i, group] of (template.steps ?? []).entries()) {
    if (!Array.isArray(group)) return `templates.${template.name}.steps[${i}] must be a list of steps`;
    for (const [j, step] of group.entries()) {
      const where = `templates.${template.name}.steps[${i}][${j}]`;
      if (names.has(step.name)) return `${where}.name "${step.name}" is not unique`;
      names.add(step.name);
      const problem = checkStep(templates, wf, where, step);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

function checkDag(templates: Templates, wf: Workflow, template: Template): string | undefined {
  const plan = planDagStatic(template);
  if (!plan.ok) return `templates.${template.name}.${plan.error}`;
  for (const task of template.dag?.tasks ?? []) {
    const problem = checkStep(templates, wf, `templates.${template.name}.dag.tasks.${task.name}`, task);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkRetry(template: Template): string | undefined {
  const strategy = template.retryStrategy;
  if (strategy === undefined) return undefined;
  const where = `templates.${template.name}.retryStrategy`;
  const limit = strategy.limit;
  const text = limit === undefined ? "0" : String(limit);
  if (!text.includes("{{") && !/^\s*\d+\s*$/.test(text))
    return `${where}.limit "${text}" is not a non-negative integer`;
  if (!validRetryPolicy(strategy))
    return `${where}.retryPolicy "${strategy.retryPolicy}" is not one of Always, OnFailure, OnError, OnTransientError`;
  return undefined;
}

/** A duration written as a value must read as one; a templated one is checked when it is substituted. */
function checkSuspend(template: Template): string | undefined {
  const suspend = template.suspend;
  if (suspend === undefined || suspend === null) return undefined;
  const where = `templates.${template.name}`;
  if (typeof suspend !== "object" || Array.isArray(suspend)) return `${where}.suspend must be an object`;
  // Argo's supplied outputs (`argo resume`/`argo node set` giving values) are not implemented. An
  // empty `outputs: {}` is what Argo's CLI writes back for every template, and passes.
  if ((template.outputs?.parameters ?? []).length > 0)
    return `${where}.outputs: outputs of suspend templates are not supported by onexit`;
  if (String(suspend.duration ?? "").includes("{{")) return undefined;
  const duration = suspendDurationMs(template, {});
  return duration.ok ? undefined : `${where}.${duration.error}`;
}

/** One kind of body, with what that kind needs. */
function checkBody(template: Template): string | undefined {
  const kinds = (["container", "script", "steps", "dag", "suspend"] as const).filter(
    (k) => template[k] !== undefined && template[k] !== null,
  );
  if (kinds.length !== 1)
    return `templates.${template.name} must define exactly one of container, script, steps, dag, suspend`;
  if (template.container !== undefined && !template.container.image)
    return `templates.${template.name}.container.image is required`;
  if (
    template.script !== undefined &&
    (!template.script.image || typeof template.script.source !== "string")
  ) {
    return `templates.${template.name}.script needs an image and a source`;
  }
  if (template.dag !== undefined && !Array.isArray(template.dag.tasks))
    return `templates.${template.name}.dag.tasks must be a list`;
  return undefined;
}

/** Argo's IsValidIntOrArgoVariable: one that uses a variable is checked once substituted. */
function checkDeadline(template: Template): string | undefined {
  const deadline = template.activeDeadlineSeconds;
  if (deadline === undefined || deadline === null || String(deadline).includes("{{")) return undefined;
  if (podDeadline(template).ok) return undefined;
  return `templates.${template.name}.activeDeadlineSeconds "${deadline}" is not a non-negative integer`;
}

function checkTemplate(templates: Templates, wf: Workflow, template: Template): string | undefined {
  const unsupported = UNSUPPORTED_TEMPLATE_TYPES.find((field) => template[field] != null);
  if (unsupported !== undefined)
    return `templates.${template.name}: ${unsupported} templates are not supported by onexit`;
  return (
    checkBody(template) ??
    checkArtifacts(template) ??
    checkSuspend(template) ??
    checkDeadline(template) ??
    checkRetry(template) ??
    checkSteps(templates, wf, template) ??
    checkDag(templates, wf, template)
  );
}

function checkArguments(wf: Workflow): string | undefined {
  for (const param of wf.spec.arguments?.parameters ?? []) {
    const value = param.value ?? param.default;
    if (value === undefined) return `spec.arguments.parameters.${param.name}.value is required`;
    const bad = enumError("spec.arguments.parameters", param, String(value));
    if (bad !== undefined) return bad;
  }
  return undefined;
}

function templateMap(wf: Workflow): Map<string, Template> | string {
  if (!Array.isArray(wf.spec?.templates)) return "spec.templates must be a list";
  const templates = new Map<string, Template>();
  for (const [i, template] of wf.spec.templates.entries()) {
    if (!template?.name) return `spec.templates[${i}].name is required`;
    if (templates.has(template.name)) return `templates.${template.name} is not unique`;
    templates.set(template.name, template);
  }
  return templates;
}

function checkSpec(wf: Workflow, templates: Templates): string | undefined {
  const entry = wf.spec.entrypoint;
  if (!entry) return "spec.entrypoint is required";
  if (!templates.has(entry)) return `spec.entrypoint template "${entry}" not found`;
  const shutdown = wf.spec.shutdown;
  if (shutdown && shutdown !== "Stop" && shutdown !== "Terminate")
    return `spec.shutdown "${shutdown}" is not Stop or Terminate`;
  const ads = wf.spec.activeDeadlineSeconds;
  if (ads !== undefined && !(Number.isFinite(Number(ads)) && Number(ads) >= 0))
    return `spec.activeDeadlineSeconds "${ads}" is not a non-negative number`;
  return (
    checkArguments(wf) ??
    checkCall(templates, "spec.entrypoint", entry, wf.spec.arguments) ??
    checkHook(templates, wf, "spec", workflowExitHook(wf))
  );
}

/**
 * The workflow's problem, or undefined when it can run: every refused or unknown field at once
 * (fields-check.ts), else the first problem in its spec.
 */
export function validateWorkflow(wf: Workflow): string | undefined {
  const refused = refusedFields(wf);
  if (refused.length > 0) return refused.join("; ");
  const templates = templateMap(wf);
  if (typeof templates === "string") return templates;
  const spec = checkSpec(wf, templates);
  if (spec !== undefined) return spec;
  for (const template of templates.values()) {
    const problem = checkTemplate(templates, wf, template);
    if (problem !== undefined) return problem;
  }
  return validateVariables(wf, templates);
}

/** Workflows whose validation is remembered: far more than one coordinator runs at once. */
const VALIDATED_WORKFLOWS = 1024;
const validated = new BoundedMemo<{ text: string; problem: string | undefined }>(VALIDATED_WORKFLOWS);

/**
 * What validation reads: everything but `metadata` and `status`, which the field walk does not
 * enter (fields.ts) and the checks never read. A status write leaves this text as it was.
 */
export function validatedText(wf: Workflow): string {
  const { metadata: _metadata, status: _status, ...read } = wf;
  return JSON.stringify(read);
}

/**
 * validateWorkflow once per spec, not once per pass: the memo holds, per workflow (uid), the text
 * it validated (validatedText) and the answer, and answers again only for that very text. Not
 * metadata.generation: the CRD has no status subresource (as Argo's), so every status write moves
 * it. The spec validated is the one with its references resolved, so `sourcesKey` stands for what
 * resolution read besides the workflow (the referenced templates' resourceVersions; "" when all
 * came from the status, which never changes once stored). Without a uid (a workflow not stored by
 * an API server) it validates every time.
 */
export function validateSpec(wf: Workflow, sourcesKey = ""): string | undefined {
  const uid = wf.metadata.uid;
  if (uid === undefined || uid === "") return validateWorkflow(wf);
  const text = validatedText(wf);
  const key = `${uid}/${sourcesKey}`;
  const fresh = (): { text: string; problem: string | undefined } => ({
    text,
    problem: validateWorkflow(wf),
  });
  const remembered = validated.get(key, fresh);
  if (remembered.text === text) return remembered.problem;
  const answer = fresh();
  validated.set(key, answer);
  return answer.problem;
}
