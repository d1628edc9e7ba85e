/**
 * The page's script, bundled by esbuild in memory at server start: the demo imports the library
 * from src/ as an app would import the package, and nothing is written to disk.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export const PAGE_ENTRY = fileURLToPath(new URL("./page/main.tsx", import.meta.url));

export async function bundlePage(entry = PAGE_ENTRY): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    jsx: "automatic",
    // React picks its build from process.env.NODE_ENV, which a browser does not have.
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild produced no bundle for the demo page");
  return output.text;
}
