/**
 * `npm run demo`: the browser demo. A loopback relay seeded with demo accounts, a NIP-46 bunker for
 * one of them, and a page (React, over the library's React binding) served on 127.0.0.1 only.
 * `startBrowserDemo()` is what tests start and stop; run directly, it prints the URL and stops on Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { pathToFileURL } from "node:url";
import NDK, { NDKRelayStatus } from "@nostr-dev-kit/ndk";
import { WebSocket } from "ws";
import { startLoopbackRelay, type LoopbackRelay } from "../loopbackRelay";
import { waitFor, within } from "../observe";
import { startDemoBunker, type DemoBunker } from "./bunker";
import { bundlePage } from "./bundle";
import type { DemoConfig } from "./config";
import { seedDemoAccounts } from "./seed";

globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket; // Node 20: NDK needs a global WebSocket

export interface BrowserDemo {
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly config: DemoConfig;
  close(): Promise<void>;
}

const NCRYPTSEC_PASSPHRASE = "demo";
const STEP_MS = 15_000;
const asset = (path: string) => new URL(path, import.meta.url);
const ASSETS: Record<string, { file: URL; type: string }> = {
  "/": { file: asset("./page/index.html"), type: "text/html" },
  "/styles.css": { file: asset("./page/styles.css"), type: "text/css" },
  "/session.svg": { file: asset("../../../visualizations/session.svg"), type: "image/svg+xml" },
  "/manager.svg": { file: asset("../../../visualizations/manager.svg"), type: "image/svg+xml" },
};

export async function startBrowserDemo({ port = 0 }: { port?: number } = {}): Promise<BrowserDemo> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    // Last started, first closed; each bounded, and one failure does not keep the rest open.
    for (const cleanup of cleanups.splice(0).reverse()) await within(cleanup(), "closing the demo").catch(() => {});
  };
  try {
    // The page's script bundles while the relay starts and is seeded.
    const script = bundlePage();
    script.catch(() => {});
    const relay: LoopbackRelay = await within(startLoopbackRelay(), "starting the loopback relay");
    cleanups.push(() => relay.close());

    const seeder = new NDK({ explicitRelayUrls: [relay.url], enableOutboxModel: false, autoConnectUserRelays: false });
    await within(seeder.connect(2000), "connecting the seeding NDK");
    const accounts = await within(seedDemoAccounts(seeder, relay.url), "seeding the demo accounts", STEP_MS).finally(() => disconnect(seeder));

    const bunkerAccount = accounts.find((a) => a.offeredAs === "bunker")!;
    const bunker: DemoBunker = await within(startDemoBunker(relay, bunkerAccount.signer), "starting the bunker", STEP_MS);
    cleanups.push(() => bunker.close());

    const nip49Account = accounts.find((a) => a.offeredAs === "ncryptsec")!;
    const config: DemoConfig = {
      relayUrl: relay.url,
      bunkerUri: bunker.uri,
      ncryptsec: { value: nip49Account.signer.encryptToNcryptsec(NCRYPTSEC_PASSPHRASE), passphrase: NCRYPTSEC_PASSPHRASE },
      accounts: accounts.map(({ name, pubkey, npub, offeredAs }) => ({ name, pubkey, npub, offeredAs })),
      runId: randomBytes(4).toString("hex"),
    };

    const files = new Map<string, { body: string; type: string }>();
    for (const [path, { file, type }] of Object.entries(ASSETS)) files.set(path, { body: await readFile(file, "utf8"), type });
    files.set("/bundle.js", { body: await within(script, "bundling the page", STEP_MS), type: "text/javascript" });
    files.set("/config.json", { body: JSON.stringify(config), type: "application/json" });

    const server = await within(serve(files, port, relay.url), "starting the HTTP server");
    cleanups.push(() => closeServer(server));
    const { port: bound } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${bound}/`, config, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function disconnect(ndk: NDK): Promise<void> {
  const relays = [...ndk.pool.relays.values()];
  for (const relay of relays) relay.disconnect();
  return waitFor(() => relays.every((r) => r.status === NDKRelayStatus.DISCONNECTED), "the seeding NDK to disconnect", 2000);
}

function serve(files: Map<string, { body: string; type: string }>, port: number, relayUrl: string): Promise<Server> {
  // The browser itself holds the page to 127.0.0.1: scripts from this server, sockets to this relay.
  // 'unsafe-eval' because NDK's event emitter (tseep) compiles its listener calls with eval: without
  // it NDKRelay.emit throws on connect and a new session's lists never finish fetching.
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'",
    `connect-src 'self' ${relayUrl}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
  ].join("; ");
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    const file = request.method === "GET" ? files.get(path) : undefined;
    response.writeHead(file ? 200 : 404, {
      "content-type": `${file?.type ?? "text/plain"}; charset=utf-8`,
      "cache-control": "no-store",
      "content-security-policy": csp,
    });
    response.end(file?.body ?? "not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections(); // keep-alive sockets of open tabs would otherwise hold close() open
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Run directly: PORT (default 8470) on 127.0.0.1; Ctrl-C closes the relay, bunker and server. */
async function main(): Promise<void> {
  const demo = await startBrowserDemo({ port: Number(process.env.PORT ?? 8470) });
  console.log(`browser demo: ${demo.url}`);
  console.log(`relay ${demo.config.relayUrl} (loopback, in-memory); bunker for alice; Ctrl-C to stop`);
  const stop = () => {
    setTimeout(() => process.exit(1), 10_000).unref(); // close() is bounded; this is the last word
    demo.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: NodeJS.ErrnoException) => {
    const hint = error.code === "EADDRINUSE" ? " (set PORT to another port, or PORT=0 for any free one)" : "";
    console.error(`demo failed: ${error.message}${hint}`);
    process.exit(1);
  });
}
