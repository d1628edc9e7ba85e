import { readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { defineConfig, type Options } from "tsup";

const library: Options = {
  entry: {
    index: "src/index.ts",
    machines: "machines/index.ts",
    react: "src/bindings/react.ts",
    svelte: "src/bindings/svelte.ts",
    vue: "src/bindings/vue.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  // Everything in dist/ but the CLI, which its own build below puts there.
  clean: ["!cli.js"],
  sourcemap: true,
  // Shared chunks for CommonJS too, so every entry throws the same SessionError class (instanceof holds).
  splitting: true,
  target: "es2022",
  // NDK is the app's own instance and the frameworks are the app's own: never bundle a second copy.
  external: ["@nostr-dev-kit/ndk", "react", "svelte", "vue"],
};

/**
 * `npx ndk-session-engine` (the package's bin): one ES module file. `ws` (Node 20 has no global
 * WebSocket) is a devDependency, so it is bundled, and its CommonJS `require` calls need the
 * module's own `require`. Built in a folder of its own, then renamed into dist/ (atomic), so a
 * process starting dist/cli.js during another build never reads half a file.
 */
const stage = `node_modules/.cache/ndk-session-engine-cli/${process.pid}`;
const cli: Options = {
  entry: { cli: "src/cli/main.ts" },
  format: ["esm"],
  outDir: stage,
  clean: true,
  dts: false,
  sourcemap: false,
  splitting: false,
  target: "es2022",
  platform: "node",
  external: ["@nostr-dev-kit/ndk"],
  define: { __VERSION__: JSON.stringify((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version) },
  banner: {
    js: ['#!/usr/bin/env node', 'import { createRequire as __cliRequire } from "node:module";', "const require = __cliRequire(import.meta.url);"].join("\n"),
  },
  async onSuccess() {
    await mkdir("dist", { recursive: true });
    await rename(`${stage}/cli.js`, "dist/cli.js");
    await rm(stage, { recursive: true, force: true });
  },
};

// NSE_BUILD=cli builds the CLI alone (test/cli does, while test/build.test.ts builds everything).
export default defineConfig(process.env.NSE_BUILD === "cli" ? [cli] : [library, cli]);
