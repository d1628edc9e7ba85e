import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", machines: "machines/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  // NDK is the app's own instance: never bundle a second copy of it.
  external: ["@nostr-dev-kit/ndk"],
});
