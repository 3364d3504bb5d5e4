// Reads the project's Dockerfile so that the offline image build follows the same recipe: the
// final stage's config and files, and the build context each stage copies (the build's inputs).
import { posix } from "node:path";

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

export interface Copy {
  /** The stage the files come from; absent: the build context. */
  fromStage?: string;
  sources: string[];
  /** Absolute path in the image; a trailing "/" (Docker's rule, which `buildah copy` follows too)
   * puts a copied file inside that directory. */
  dest: string;
}

export interface ImageRecipe {
  env: Record<string, string>;
  workdir: string;
  user: string;
  entrypoint: string[];
  copies: Copy[];
}

/** Joins continued lines, drops comments and blank lines, splits each instruction into keyword and args. */
export function parseInstructions(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const match = /^(\S+)\s*(.*)$/.exec(line);
      return { keyword: (match?.[1] ?? "").toUpperCase(), args: match?.[2] ?? "" };
    });
}

export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = instruction.args.split(/\s+/);
      stages.push({ base, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (current === undefined) throw new Error(`Dockerfile: ${instruction.keyword} before any FROM`);
    current.instructions.push(instruction);
  }
  return stages;
}

/** `["a", "b"]` (exec form) as a list; any other form is refused: the image runs no shell. */
function execForm(keyword: string, args: string): string[] {
  const parsed: unknown = JSON.parse(args.startsWith("[") ? args : "null");
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw new Error(`Dockerfile: ${keyword} must use the exec form ["cmd", "arg"], got ${args}`);
  }
  return parsed;
}

function parseCopy(args: string, workdir: string): Copy {
  const words = args.split(/\s+/);
  const flags = words.filter((word) => word.startsWith("--"));
  const paths = words.filter((word) => !word.startsWith("--"));
  const unknown = flags.filter((flag) => !flag.startsWith("--from="));
  if (unknown.length > 0)
    throw new Error(`Dockerfile: COPY flags the offline build does not follow: ${unknown.join(" ")}`);
  const dest = paths.at(-1);
  if (dest === undefined || paths.length < 2)
    throw new Error(`Dockerfile: COPY needs a source and a destination: ${args}`);
  const fromStage = flags[0]?.slice("--from=".length);
  const sources = paths.slice(0, -1);
  const absolute = posix.resolve(workdir, dest);
  const intoDirectory = dest.endsWith("/") || dest === "." || sources.length > 1;
  return {
    ...(fromStage ? { fromStage } : {}),
    sources,
    dest: intoDirectory ? `${absolute.replace(/\/$/, "")}/` : absolute,
  };
}

/** The final stage as the offline build needs it; ENV and WORKDIR of the base image are not known here. */
export function finalStageRecipe(text: string): ImageRecipe {
  const final = parseStages(text).at(-1);
  if (final === undefined) throw new Error("Dockerfile: no FROM");
  const recipe: ImageRecipe = { env: {}, workdir: "/", user: "", entrypoint: [], copies: [] };
  for (const { keyword, args } of final.instructions) {
    switch (keyword) {
      case "ENV": {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)[=\s]\s*(.*)$/.exec(args);
        if (!match?.[1]) throw new Error(`Dockerfile: ENV the offline build cannot read: ${args}`);
        recipe.env[match[1]] = match[2] ?? "";
        break;
      }
      case "WORKDIR":
        recipe.workdir = posix.resolve(recipe.workdir, args);
        break;
      case "USER":
        recipe.user = args;
        break;
      case "ENTRYPOINT":
        recipe.entrypoint = execForm(keyword, args);
        break;
      case "COPY":
        recipe.copies.push(parseCopy(args, recipe.workdir));
        break;
      default:
        throw new Error(
          `Dockerfile: the final stage's ${keyword} has no offline equivalent (test/cluster/images/)`,
        );
    }
  }
  return recipe;
}

/** The build-context paths a stage copies (every stage's when none is named): what it is made from. */
export function contextSources(text: string, stageName?: string): string[] {
  const sources = new Set<string>();
  const stages = parseStages(text).filter((stage) => stageName === undefined || stage.name === stageName);
  if (stages.length === 0) throw new Error(`Dockerfile: no stage named ${stageName ?? ""}`);
  for (const stage of stages) {
    for (const { keyword, args } of stage.instructions) {
      if (keyword !== "COPY") continue;
      const copy = parseCopy(args, "/");
      if (copy.fromStage === undefined)
        copy.sources.forEach((source) => sources.add(posix.normalize(source)));
    }
  }
  return [...sources].sort();
}
