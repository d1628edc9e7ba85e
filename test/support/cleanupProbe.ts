/**
 * Run in a child process by test/engine/cleanup.test.ts. Records every timer and socket created
 * from this library's own code, drives a manager, destroys it, and reports what is still alive.
 *   tsx cleanupProbe.ts report <relayUrl>   → prints {"alive":[...]} and exits
 *   tsx cleanupProbe.ts exit                → must end on its own (no relay, so NDK holds nothing)
 */
import { createHook } from "node:async_hooks";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ours = [resolve(root, "src"), resolve(root, "machines")];
const probeFile = fileURLToPath(import.meta.url);
const alive = new Map<number, string>();
createHook({
  init(id, type) {
    const stack = new Error().stack ?? "";
    const frame = stack.split("\n").find((line) => ours.some((dir) => line.includes(dir)) && !line.includes("/src/demo/"));
    if (frame && !stack.includes(probeFile)) alive.set(id, `${type} ${frame.trim()}`);
  },
  destroy(id) {
    alive.delete(id);
  },
}).enable();

const { connectedNdk, disconnect, eventually, NDKPrivateKeySigner } = await import("./env");
const { NDKSessionManager } = await import("../../src");
const [mode, relayUrl] = process.argv.slice(2);

if (mode === "report") {
  const ndk = await connectedNdk([relayUrl!]);
  const manager = new NDKSessionManager(ndk, { timeouts: { fetchMs: 2000, signerMs: 2000 } });
  const signers = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());
  for (const signer of signers) await manager.login(signer);
  await manager.login(ndk.getUser({ pubkey: NDKPrivateKeySigner.generate().pubkey }));
  await eventually(() => [...manager.getSessions().values()].every((s) => s.status === "ready"), 5000, "all ready");
  manager.destroy();
  // The parent counts the relay's subscriptions while this connection is still open.
  console.log("destroyed");
  await new Promise((r) => setTimeout(r, 400));
  disconnect(ndk);
  await new Promise((r) => setTimeout(r, 100));
  console.log(JSON.stringify({ alive: [...alive.values()] }));
  process.exit(0);
} else {
  const { default: NDK } = await import("@nostr-dev-kit/ndk");
  const ndk = new NDK({ explicitRelayUrls: [], enableOutboxModel: false, autoConnectUserRelays: false });
  const manager = new NDKSessionManager(ndk, { timeouts: { fetchMs: 200, signerMs: 200 }, retry: { baseMs: 10_000, maxMs: 10_000 } });
  const signer = NDKPrivateKeySigner.generate();
  await manager.login(signer);
  await manager.login(ndk.getUser({ pubkey: NDKPrivateKeySigner.generate().pubkey }));
  // From now on the signer never answers: the session's authentication fails and a retry is scheduled.
  Object.assign(signer, { user: () => new Promise(() => {}) });
  manager.actor.send({ type: "account.login", pubkey: signer.pubkey, signer: { type: "private-key" }, setActive: false, at: 0 });
  await eventually(() => manager.getSession(signer.pubkey)?.status === "error", 3000, "error with a pending retry");
  manager.destroy();
  console.log("destroyed");
}
