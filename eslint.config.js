import js from "@eslint/js";
import tseslint from "typescript-eslint";

// --- contracts guards (issue 11) ------------------------------------------------------------
// Each guard is a rule no other block sets for the same files: in flat config a later block's
// setting of a rule replaces an earlier one's, so two guards sharing a rule would silently drop one.
/** Test helpers live in a `testing/` folder of their area; only tests and other helpers import them. */
const TESTING_ONLY_IN_TESTS =
  "testing/ holds test helpers: only *.test.ts and testing/ files import them (not in dist/).";
const TESTING_MODULE = "/(^|\\/)testing\\//";
/** webhook/ and sidecar/ run as other programs (the sidecar within a small memory budget). */
const NOT_THE_COORDINATOR = {
  group: ["**/coordinator/**"],
  message: "webhook/ and sidecar/ never import coordinator/: what two programs share lives in common/.",
};
const contractsGuards = [
  {
    // The engine has its own testing/ guard (its @typescript-eslint/no-restricted-imports).
    files: ["bin/**/*.ts", "common/**/*.ts", "coordinator/**/*.ts", "webhook/**/*.ts", "sidecar/**/*.ts"],
    ignores: ["**/*.test.ts", "**/testing/**", "coordinator/engine/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...["ImportDeclaration", "ImportExpression", "ExportNamedDeclaration", "ExportAllDeclaration"].map(
          (node) => ({ selector: `${node}[source.value=${TESTING_MODULE}]`, message: TESTING_ONLY_IN_TESTS }),
        ),
      ],
    },
  },
  {
    files: ["webhook/**/*.ts", "sidecar/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [NOT_THE_COORDINATOR] }] },
  },
];
// --- end of contracts guards ----------------------------------------------------------------

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "charts/", "bench/results/", "faults/results/", "**/testdata/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      complexity: ["warn", 12],
      "max-depth": ["warn", 3],
      "max-params": ["warn", 4],
      "@typescript-eslint/explicit-function-return-type": ["error", { allowExpressions: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["**/*.test.ts", "test/**/*.ts", "bench/**/*.ts", "faults/**/*.ts"],
    rules: {
      "@typescript-eslint/explicit-function-return-type": "off",
      complexity: "off",
      "max-depth": "off",
    },
  },
  ...contractsGuards,
);
