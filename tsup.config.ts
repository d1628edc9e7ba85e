import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    machines: "machines/index.ts",
    react: "src/bindings/react.ts",
    svelte: "src/bindings/svelte.ts",
    vue: "src/bindings/vue.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  // Shared chunks for CommonJS too, so every entry throws the same SessionError class (instanceof holds).
  splitting: true,
  target: "es2022",
  // NDK is the app's own instance and the frameworks are the app's own: never bundle a second copy.
  external: ["@nostr-dev-kit/ndk", "react", "svelte", "vue"],
});
