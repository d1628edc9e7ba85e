import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // NDK relays keep timers of their own; forks are torn down cleanly when a file is done.
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
