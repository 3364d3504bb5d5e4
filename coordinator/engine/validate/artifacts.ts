// What a template's artifacts need before anything runs: output artifacts only on pod
// templates, and on a container template only with `command`, since onexit runs the command
// behind its copier (webhook/artifact-copier.ts) and cannot read the image's entrypoint.
import type { Artifact, Template } from "../workflow.ts";

function pathProblem(where: string, artifact: Artifact): string | undefined {
  if (artifact.path === undefined) return `${where}.path is required`;
  if (!artifact.path.includes("{{") && !artifact.path.startsWith("/"))
    return `${where}.path must be absolute`;
  return undefined;
}

function outputsProblem(template: Template): string | undefined {
  const where = `templates.${template.name}`;
  const outputs = template.outputs?.artifacts ?? [];
  if (outputs.length === 0) return undefined;
  if (template.container === undefined && template.script === undefined)
    return `${where}.outputs.artifacts: only container and script templates can have output artifacts in onexit`;
  if (template.container !== undefined && (template.container.command ?? []).length === 0)
    return (
      `${where}.container.command is required when the template has outputs.artifacts: ` +
      "onexit runs the command behind its copier and cannot read the image's entrypoint"
    );
  const seen = new Set<string>();
  for (const [i, artifact] of outputs.entries()) {
    const problem = pathProblem(`${where}.outputs.artifacts[${i}]`, artifact);
    if (problem !== undefined) return problem;
    if (seen.has(artifact.name)) return `${where}.outputs.artifacts: ${artifact.name} is declared twice`;
    seen.add(artifact.name);
  }
  return undefined;
}

function inputsProblem(template: Template): string | undefined {
  const inputs = template.inputs?.artifacts ?? [];
  if (template.container === undefined && template.script === undefined)
    return inputs.length === 0
      ? undefined
      : `templates.${template.name}.inputs.artifacts: only container and script templates can have input artifacts in onexit`;
  for (const [i, artifact] of inputs.entries()) {
    const problem = pathProblem(`templates.${template.name}.inputs.artifacts[${i}]`, artifact);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

export function checkArtifacts(template: Template): string | undefined {
  return outputsProblem(template) ?? inputsProblem(template);
}
