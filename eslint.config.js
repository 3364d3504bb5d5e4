import js from "@eslint/js";
import tseslint from "typescript-eslint";

// --- contracts guards (issue 11) ------------------------------------------------------------
// In flat config a later block's `no-restricted-imports` replaces an earlier one for the files
// both match: a block that sets the rule for shipped files must list TESTING_ONLY_IN_TESTS again.
/** Test helpers live in a `testing/` folder of their area; only tests and other helpers import them. */
const TESTING_ONLY_IN_TESTS = {
  group: ["**/testing/**", "./testing/*", "../testing/*"],
  message:
    "testing/ holds test helpers: only *.test.ts and testing/ files import them (they are not in dist/).",
};
/** webhook/ and sidecar/ run as other programs (the sidecar within a small memory budget). */
const NOT_THE_COORDINATOR = {
  group: ["**/coordinator/**"],
  message: "webhook/ and sidecar/ never import coordinator/: what two programs share lives in common/.",
};
const TEST_FILES = ["**/*.test.ts", "**/testing/**"];
const contractsGuards = [
  {
    files: ["bin/**/*.ts", "common/**/*.ts", "coordinator/**/*.ts"],
    ignores: TEST_FILES,
    rules: { "no-restricted-imports": ["error", { patterns: [TESTING_ONLY_IN_TESTS] }] },
  },
  {
    files: ["webhook/**/*.ts", "sidecar/**/*.ts"],
    ignores: TEST_FILES,
    rules: { "no-restricted-imports": ["error", { patterns: [TESTING_ONLY_IN_TESTS, NOT_THE_COORDINATOR] }] },
  },
  {
    files: ["webhook/**/*.test.ts", "webhook/**/testing/**", "sidecar/**/*.test.ts", "sidecar/**/testing/**"],
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
