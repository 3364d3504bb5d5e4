// Generates docs/FIELDS.md from the field table (fields.ts): what onexit does with each field of
// Argo's Workflow spec. Pure: fields-generated.test.ts writes and checks the file.
import type { Field, Kind, KindName } from "./fields.ts";
import { KINDS, NOT_SUPPORTED, ROOT_KIND } from "./fields.ts";

const WORDS = { supported: "supported", refused: "**refused**", ignored: "ignored" } as const;

function what(field: Field): string {
  if (field.support === "supported") {
    const nested = field.nested === undefined ? "" : ` (${field.nested.kind})`;
    return [`${WORDS.supported}${nested}`, field.note].filter(Boolean).join(": ");
  }
  return `${WORDS[field.support]}: ${field.reason}`;
}

/** The kinds in the order the spec reaches them, each once. */
function kindsInOrder(): KindName[] {
  const order: KindName[] = [];
  const visit = (name: KindName): void => {
    if (order.includes(name)) return;
    order.push(name);
    for (const field of Object.values(KINDS[name])) {
      if (field.support === "supported" && field.nested !== undefined) visit(field.nested.kind);
    }
  };
  visit(ROOT_KIND);
  return order;
}

function table(name: KindName, kind: Kind): string {
  const rows = Object.entries(kind).map(([field, entry]) => `| \`${field}\` | ${what(entry)} |`);
  return [`## ${name}`, "", "| Field | onexit |", "| --- | --- |", ...rows].join("\n");
}

export function fieldsMarkdown(): string {
  const intro = [
    "# Argo Workflow fields in onexit",
    "",
    "<!-- GENERATED from coordinator/engine/validate/fields.ts by `npm run gen:fields`; do not edit. -->",
    "",
    "Every field of Argo's Workflow spec (`argoproj.io/v1alpha1`, Argo v4.1), and what onexit does",
    "with it. A Workflow using a **refused** field, or a field Argo does not have, is refused when",
    `it is created (\`kubectl create\` fails naming each, e.g. \`spec.synchronization: ${NOT_SUPPORTED}\`,`,
    "by the chart's ValidatingAdmissionPolicy); one that slipped through (created before the chart",
    "was installed, or with the policy removed) ends in `Error` with the same message and runs",
    "nothing. An ignored field is accepted and has no effect, for the reason given. Container",
    "fields go to the step pod's `main` container, and Kubernetes checks what is inside them.",
  ].join("\n");
  return `${[intro, ...kindsInOrder().map((name) => table(name, KINDS[name]))].join("\n\n")}\n`;
}
