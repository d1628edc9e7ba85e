// Issue 10.8: constructing a manager needs no global WebSocket (as the peer's does); the first relay needed says so.
import { expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Node 20 as it is, without a global WebSocket: a fresh process, nothing set up by the test suite. */
const script = `
import NDK, { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { NDKSessionManager, NoWebSocketError } from "./src/index.ts";
const out = { hadWebSocket: typeof globalThis.WebSocket };
const ndk = new NDK({ explicitRelayUrls: ["ws://127.0.0.1:9"], enableOutboxModel: false, autoConnectUserRelays: false });
const manager = new NDKSessionManager(ndk, { fetches: { follows: true }, retry: { baseMs: 60000, maxMs: 60000 } });
out.constructed = true;
const signer = NDKPrivateKeySigner.generate();
out.loggedIn = (await manager.login(signer)) === signer.pubkey;
out.ndkSigner = ndk.signer === signer;
const deadline = Date.now() + 5000;
const settled = () => manager.getSession(signer.pubkey)?.status === "error" && manager.getSession(signer.pubkey)?.signerState === "ready";
while (!settled() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
const session = manager.getSession(signer.pubkey);
out.status = session?.status;
out.failure = session?.failure?.code;
out.names = session?.failure?.message.includes("WebSocket");
out.signer = session?.signerState;
out.publish = await manager.createAccount({ profile: { name: "x" } }).then(() => "published", (error) => error instanceof NoWebSocketError && error.code);
await manager.destroy();
console.log(JSON.stringify(out));
process.exit(0);
`;

it("a manager is built and logs in without a global WebSocket; its lists fail with a typed no-websocket, and so does a publish", () => {
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
  expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({
    hadWebSocket: "undefined",
    constructed: true,
    loggedIn: true,
    ndkSigner: true,
    status: "error",
    failure: "no-websocket",
    names: true,
    signer: "ready",
    publish: "no-websocket",
  });
}, 60_000);
