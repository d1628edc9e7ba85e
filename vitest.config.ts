import { defineConfig } from "vitest/config";

/**
 * The engine's tests run in Node; each framework binding has a project of its own under
 * test/bindings/<framework>/ (its own DOM environment and compiler plugin).
 */
export default defineConfig({
  test: {
    // NDK relays keep timers of their own; forks are torn down cleanly when a file is done.
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: { name: "engine", include: ["test/**/*.test.ts"], exclude: ["test/bindings/**", "**/node_modules/**"] },
      },
      "test/bindings/*/vitest.config.ts",
    ],
  },
});
