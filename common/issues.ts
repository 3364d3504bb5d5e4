// One wording for every rejected input (report, AdmissionReview, environment):
// "field.path: what is wrong; other.field: …".
import type { z } from "zod";

export function describeIssues(error: z.ZodError, where: { root?: string; whenEmpty?: string } = {}): string {
  return error.issues
    .map((issue) => {
      const path = [...(where.root === undefined ? [] : [where.root]), ...issue.path.map(String)];
      return `${path.join(".") || where.whenEmpty || ""}: ${issue.message}`;
    })
    .join("; ");
}
