import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import type { Plugin } from "vite";
import { bindingProject } from "../project.ts";

/**
 * Svelte's client runtime for `svelte`, `svelte/store`, `svelte/reactivity`… (their `browser`
 * export), and nothing else: a global `browser` condition would also hand the relay harness the
 * browser stub of `ws`, which throws. Node itself runs the tests, so every other package keeps
 * its Node build.
 */
function svelteClientRuntime(): Plugin {
  const manifest = createRequire(import.meta.url).resolve("svelte/package.json");
  const exports = JSON.parse(readFileSync(manifest, "utf8")).exports as Record<string, string | Record<string, string>>;
  return {
    name: "svelte-client-runtime",
    enforce: "pre",
    resolveId(id) {
      const subpath = /^svelte(\/.*)?$/.exec(id)?.[1] ?? (id === "svelte" ? "" : undefined);
      if (subpath === undefined) return null;
      const entry = exports[`.${subpath}`];
      const browser = typeof entry === "object" ? entry.browser : undefined;
      return browser ? join(dirname(manifest), browser) : null;
    },
  };
}

/** Real components compiled by vite-plugin-svelte (no svelte.config.js: the defaults do). */
export default bindingProject("svelte", "test/bindings/svelte/**/*.test.ts", [
  svelteClientRuntime(),
  svelte({ configFile: false }),
  // Auto-cleanup after each test; its global `browser` condition is replaced by the plugin above.
  svelteTesting({ resolveBrowser: false }),
]);
