// The build context as docker sends it: .dockerignore's patterns leave files out of the image's
// inputs key (a changed test file does not rebuild the image). Covers the forms the project uses:
// names, paths, `*`, `?` and a leading `**/`; a pattern also leaves out everything below a match.

export function parseDockerignore(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.replace(/^\/+/, "").replace(/\/+$/, ""));
}

function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .split("/")
    .map((segment) =>
      segment === "**"
        ? "(?:.*/)?"
        : `${segment
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, "[^/]*")
            .replace(/\?/g, "[^/]")}/`,
    )
    .join("");
  return new RegExp(`^${body.replace(/\/$/, "")}(?:/.*)?$`);
}

/** Whether a context-relative path (`common/x.test.ts`) is left out by the patterns. */
export function isIgnored(path: string, patterns: readonly string[]): boolean {
  if (patterns.some((pattern) => pattern.startsWith("!"))) {
    throw new Error(".dockerignore: exceptions (!pattern) are not followed by the offline build");
  }
  return patterns.some((pattern) => patternRegExp(pattern).test(path));
}
