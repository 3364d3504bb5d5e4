import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "common/**/*.test.ts",
            "webhook/**/*.test.ts",
            "sidecar/**/*.test.ts",
            "coordinator/**/*.test.ts",
            "test/cluster/agent/**/*.test.ts",
            "test/cluster/images/**/*.test.ts",
            "bench/**/*.test.ts",
            "faults/**/*.test.ts",
          ],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/e2e/global-setup.ts", "test/e2e/install-onexit.ts"],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
