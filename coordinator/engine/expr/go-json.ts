// JSON text as Go's encoding/json writes it, for values Argo's controller marshals into
// variables (loop items, aggregated outputs): object keys sorted, nothing between tokens,
// and, unless told otherwise, <, > and & escaped as \u003c, \u003e and \u0026.

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function goJson(value: unknown, escapeHtml = true): string {
  if (Array.isArray(value)) return `[${value.map((item) => goJson(item, escapeHtml)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort(byCodeUnit)
      .map((key) => `${goJson(key, escapeHtml)}:${goJson(object[key], escapeHtml)}`);
    return `{${members.join(",")}}`;
  }
  const text = JSON.stringify(value) ?? "null";
  if (!escapeHtml) return text;
  return text.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}
