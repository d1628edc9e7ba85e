import { fileURLToPath } from "node:url";
import type { PluginOption } from "vite";
import { defineProject } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * One framework binding's test project: real components in jsdom against a real manager on a
 * loopback relay, with Node's globals put back for the relay and NDK (test/support/jsdomNode.ts).
 */
export function bindingProject(name: string, include: string, plugins: PluginOption[] = []) {
  return defineProject({
    root,
    plugins,
    test: {
      name,
      // As a project of the root config, vitest roots it at its own folder unless told here.
      root,
      environment: "jsdom",
      include: [include],
      setupFiles: ["test/support/jsdomNode.ts"],
      // NDK relays keep timers of their own; forks are torn down cleanly when a file is done.
      pool: "forks",
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  });
}
