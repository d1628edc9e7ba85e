/**
 * The fake NIP-07 extension of ./nip07.ts as the source of a Chromium init script
 * (`context.addInitScript({ content })` or `page.addInitScript({ content })`): it runs in every
 * page before the page's own scripts, as an extension's content script does, and leaves the
 * controls on `globalThis.__nip07` (a `FakeNip07`).
 */
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import { build } from "esbuild";
import type { FakeNip07 } from "./nip07";

/** What an init script leaves on the page's global object. */
export type Nip07Page = { __nip07: FakeNip07 };

let bundled: Promise<string> | undefined;

/** ./nip07.ts with nostr-tools, as one classic script defining `globalThis.__createFakeNip07`. */
function bundleFake(): Promise<string> {
  bundled ??= build({
    stdin: {
      contents: 'import { createFakeNip07 } from "./nip07";\nglobalThis.__createFakeNip07 = createFakeNip07;\n',
      resolveDir: dirname(fileURLToPath(import.meta.url)),
      loader: "ts",
    },
    bundle: true,
    write: false,
    platform: "browser",
    format: "iife",
    target: "es2022",
    logLevel: "silent",
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

/** Init script source: installs a fake extension for `secretKeyHex` as `window.nostr`. */
export async function nip07InitScript(secretKeyHex: string, options: { getPublicKeyDelayMs?: number } = {}): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(secretKeyHex)) throw new Error("nip07InitScript: the key must be 64 lowercase hex characters");
  const install = `globalThis.__nip07 = globalThis.__createFakeNip07(${JSON.stringify(secretKeyHex)}, ${JSON.stringify(options)});`;
  return `${await bundleFake()}\n${install}\n`;
}
