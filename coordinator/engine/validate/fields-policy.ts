// Generates the chart's ValidatingAdmissionPolicy from the field table (fields.ts): one CEL
// expression that lists every refused or unknown field of a Workflow's spec with its path, in the
// words refusedFields (fields-check.ts) uses, so `kubectl create` is refused with the message a
// workflow that slipped through ends with. Pure: fields-generated.test.ts writes and checks the file.
import type { Kind, KindName, Nesting } from "./fields.ts";
import { KINDS, ROOT_KIND, UNKNOWN_FIELD } from "./fields.ts";

/** At most this many fields are named in the message (the API server drops messages over 5 KiB). */
export const MESSAGE_FIELDS = 20;

const quote = (text: string): string => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

/** Fresh comprehension variables per nesting level, so inner loops never shadow outer ones. */
class Names {
  private next = 0;
  fresh(prefix: string): string {
    this.next += 1;
    return `${prefix}${this.next}`;
  }
}

/** `path` is a CEL string expression: where `value` is, without a trailing dot. */
function nestedCel(nesting: Nesting, value: string, path: string, names: Names): string {
  const kind = nesting.kind;
  if (nesting.as === "object") return kindCel(kind, value, `${path} + '.'`, names);
  if (nesting.as === "map") {
    const key = names.fresh("k");
    const item = names.fresh("h");
    const at = `${path} + '.' + ${key}`;
    const inner = kindCel(kind, item, `${at} + '.'`, names);
    const refuse = `[${at} + ': ' + ${quote(nesting.reason)}]`;
    const keys = `[${nesting.keys.map(quote).join(", ")}]`;
    const each = `${item} == null ? [] : (${key} in ${keys} ? ${inner} : ${refuse})`;
    return `(type(${value}) == map ? ${value}.transformList(${key}, ${item}, ${each}).flatten() : [])`;
  }
  const i = names.fresh("i");
  const item = names.fresh("x");
  const at = `${path} + '[' + string(${i}) + ']'`;
  const inner =
    nesting.as === "list"
      ? kindCel(kind, item, `${at} + '.'`, names)
      : nestedCel({ kind, as: "list" }, item, at, names);
  return `(type(${value}) == list ? ${value}.transformList(${i}, ${item}, ${inner}).flatten() : [])`;
}

/** The policy variable holding a kind's fields: name -> "" when accepted, else why it is refused. */
const fieldsVariable = (kindName: KindName): string => `fields${kindName}`;

/**
 * Variables evaluated once per request, so each object's check looks its keys up in a map (cost 1)
 * instead of building a literal per key: the API server bounds an expression's cost.
 */
export function fieldVariables(): { name: string; expression: string }[] {
  return (Object.keys(KINDS) as KindName[]).map((kindName) => {
    const entries = Object.entries(KINDS[kindName]).map(
      ([name, field]) => `${quote(name)}: ${quote(field.support === "refused" ? field.reason : "")}`,
    );
    return { name: fieldsVariable(kindName), expression: `{${entries.join(", ")}}` };
  });
}

/**
 * A CEL list of `<path>: <reason>` for the object `value` of `kindName`; `prefix` is a CEL string
 * expression of its path with the trailing dot (`'spec.'`), `''` at the root.
 */
function kindCel(kindName: KindName, value: string, prefix: string, names: Names): string {
  const kind: Kind = KINDS[kindName];
  const key = names.fresh("f");
  const fields = `variables.${fieldsVariable(kindName)}`;
  const at = prefix === "''" ? key : `${prefix} + ${key}`;
  const own =
    `${value}.filter(${key}, ${value}[${key}] != null && (!(${key} in ${fields}) || ${fields}[${key}] != ''))` +
    `.map(${key}, ${at} + ': ' + (${key} in ${fields} ? ${fields}[${key}] : ${quote(UNKNOWN_FIELD)}))`;
  const parts = [own];
  for (const [name, field] of Object.entries(kind)) {
    if (field.support !== "supported" || field.nested === undefined) continue;
    const child = `${value}.${name}`;
    const path = prefix === "''" ? quote(name) : `${prefix} + ${quote(name)}`;
    parts.push(`(has(${child}) ? ${nestedCel(field.nested, child, path, names)} : [])`);
  }
  return `(type(${value}) == map ? [${parts.join(",\n")}].flatten() : [])`;
}

/** The CEL list of every refused or unknown field of `object`, sorted as refusedFields sorts. */
export function refusedFieldsCel(): string {
  return `${kindCel(ROOT_KIND, "object", "''", new Names())}.sort()`;
}

const indent = (text: string, spaces: number): string =>
  text
    .split("\n")
    .map((line) => " ".repeat(spaces) + line)
    .join("\n");

/** charts/onexit/templates/workflow-fields-policy.yaml. */
export function policyTemplate(): string {
  const message =
    `variables.refused.size() <= ${MESSAGE_FIELDS} ? variables.refused.join('; ') : ` +
    `variables.refused.slice(0, ${MESSAGE_FIELDS}).join('; ') + '; and ' + ` +
    `string(variables.refused.size() - ${MESSAGE_FIELDS}) + ' more'`;
  return `# GENERATED from coordinator/engine/validate/fields.ts by \`npm run gen:fields\`; do not edit.
# Refuses at create time a Workflow (or WorkflowTemplate) using a field onexit does not run, or one
# Argo does not have, naming each with its path: the coordinator ends one that slipped through
# (created before install, policy removed) in Error with the same words.
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: {{ include "onexit.name" . }}-workflow-fields
  labels:
    {{- include "onexit.labels" . | nindent 4 }}
spec:
  # The coordinator checks every workflow with the same table, so a policy that cannot decide (a
  # workflow so large its check exceeds the API server's CEL cost budget: thousands of steps)
  # admits it and the coordinator ends it in Error if it uses a refused field.
  failurePolicy: Ignore
  matchConstraints:
    resourceRules:
      - apiGroups: [argoproj.io]
        apiVersions: ["*"]
        operations: [CREATE, UPDATE]
        resources: [workflows, workflowtemplates, clusterworkflowtemplates]
  matchConditions:
    # An update that leaves the spec as it was (finalizers, labels) is never refused, so a
    # workflow stored before the policy can still be finished and deleted.
    - name: spec-written
      expression: request.operation == 'CREATE' || !has(oldObject.spec) || object.spec != oldObject.spec
  variables:
${fieldVariables()
  .map((v) => `    - name: ${v.name}\n      expression: >-\n        ${v.expression}`)
  .join("\n")}
    - name: refused
      expression: |-
${indent(refusedFieldsCel(), 8)}
  validations:
    - expression: variables.refused.size() == 0
      messageExpression: >-
        ${message}
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: {{ include "onexit.name" . }}-workflow-fields
  labels:
    {{- include "onexit.labels" . | nindent 4 }}
spec:
  policyName: {{ include "onexit.name" . }}-workflow-fields
  validationActions: [Deny]
`;
}
