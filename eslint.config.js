import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The engine (coordinator/engine/, README.md there) is pure: no I/O, no clock, no randomness, and it
// imports only itself and common/. These rules make a break of that fail the lint.
const NO_IO = "The engine does no I/O (coordinator/engine/README.md): the runtime does it.";
const ENGINE_TESTS = ["coordinator/engine/**/*.test.ts", "coordinator/engine/**/testing/**"];
/** Node's modules that reach outside the process or its clock, by their bare names (`node:*` too). */
const IO_MODULES = ["fs", "fs/*", "http", "https", "http2", "net", "tls", "dgram", "dns", "dns/*"];
IO_MODULES.push("child_process", "timers", "timers/*", "process", "os", "worker_threads", "cluster");

/** @param {string} outside a regex for relative imports that leave the engine for anything but common/ */
// eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- a JavaScript file: no return types
function engineRules(outside) {
  return {
    "no-restricted-imports": "off",
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        paths: [
          {
            name: "@kubernetes/client-node",
            allowTypeImports: true,
            message: `${NO_IO} Import its types only.`,
          },
        ],
        patterns: [
          { group: ["node:*", ...IO_MODULES], message: NO_IO },
          { regex: outside, message: "The engine imports only itself and common/; the runtime imports it." },
          { regex: "(^|/)testing/", message: "Test helpers are not in the image (tsconfig.build.json)." },
        ],
      },
    ],
    "no-restricted-globals": [
      "error",
      ...[
        "process",
        "setTimeout",
        "setInterval",
        "setImmediate",
        "queueMicrotask",
        "fetch",
        "console",
        "require",
      ].map((name) => ({ name, message: NO_IO })),
    ],
    "no-restricted-syntax": [
      "error",
      {
        selector: "MemberExpression[object.name='Date'][property.name='now']",
        message: "The engine has no clock: use the input's `now`.",
      },
      {
        selector: "NewExpression[callee.name='Date'][arguments.length=0]",
        message: "The engine has no clock: use the input's `now`.",
      },
      {
        selector: "MemberExpression[object.name='Math'][property.name='random']",
        message: "reconcile gives the same output for the same input.",
      },
    ],
  };
}

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
    // The runtime reaches the engine only through its import surface.
    files: ["coordinator/*.ts", "coordinator/testing/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(\\./|\\.\\./)engine/(?!index\\.ts$)",
              message: "The runtime imports the engine only through coordinator/engine/index.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["coordinator/engine/*.ts"],
    ignores: ENGINE_TESTS,
    rules: engineRules("^\\.\\./(?!\\.\\./common/)"),
  },
  {
    files: ["coordinator/engine/*/**/*.ts"],
    ignores: ENGINE_TESTS,
    rules: engineRules("^\\.\\./\\.\\./(?!\\.\\./common/)"),
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
