/**
 * `npm start`: three real accounts on a real loopback relay, logged in, switched, updated live and
 * logged out through NDKSessionManager, with every session transition read from the actor system.
 * No configuration; exits 0 on success, 1 with a message when any step misses its deadline.
 */
import { WebSocket } from "ws";
import NDK, { NDKEvent } from "@nostr-dev-kit/ndk";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStorage, NDKSessionManager } from "../index";
import type { SessionStatus } from "../facade/types";
import { publishSigned, randomPubkey, seedAccount, shortNpub, type DemoAccount } from "./accounts";
import { startLoopbackRelay, type RelayFrame } from "./loopbackRelay";
import { sessionPrinter, waitFor, within } from "./observe";

globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

const OVERALL_DEADLINE_MS = 20_000;
const started = performance.now();
const print = (line: string) => console.log(line);
const label = (word: string) => word.padEnd(8);

async function main(): Promise<void> {
  const relay = await within(startLoopbackRelay(), "starting the loopback relay");
  const ndk = new NDK({ explicitRelayUrls: [relay.url], enableOutboxModel: false, autoConnectUserRelays: false });
  await within(ndk.connect(2000), "connecting NDK");
  if (ndk.pool.connectedRelays().length === 0) throw new Error(`NDK could not connect to ${relay.url}`);
  print(`${label("relay")} ${relay.url} (loopback, in-memory); NDK uses this relay only`);

  const seeds = [
    { name: "alice", followCount: 300, mutedWord: "spam" },
    { name: "bob", followCount: 12, mutedWord: "crypto" },
    { name: "carol", followCount: 5, mutedWord: "weather" },
  ];
  const accounts = await within(Promise.all(seeds.map((seed) => seedAccount(ndk, relay.url, seed))), "seeding accounts");
  const [alice, bob, carol] = accounts as [DemoAccount, DemoAccount, DemoAccount];
  const byPubkey = new Map(accounts.map((a) => [a.pubkey, a]));
  const nameOf = (pubkey: string | undefined) => (pubkey ? (byPubkey.get(pubkey)?.name ?? `${pubkey.slice(0, 8)}…`) : "none");
  for (const a of accounts)
    print(`${label("seed")} ${a.name.padEnd(7)} ${a.npub}  kinds 0, 3 (${a.follows.length} follows), 10000, 10002, 10006`);

  const describe = (pubkey: string, status: SessionStatus): string => {
    const session = manager.getSession(pubkey);
    if (status === "stopped") return session ? "(manager destroyed)" : "(logged out)";
    if (!session) return "";
    if (status === "error") return `(${session.failure?.code}: ${session.failure?.message})`;
    const mutes = (session.muteSet?.size ?? 0) + (session.mutedWords?.size ?? 0) + (session.mutedHashtags?.size ?? 0);
    return `(follows ${session.followSet?.size ?? 0}, mutes ${mutes}, relays ${session.relayList?.size ?? 0}, blocked ${session.blockedRelays?.size ?? 0})`;
  };
  const printer = sessionPrinter({ nameOf, describe, print });
  const file = join(tmpdir(), "ndk-session-engine-demo", "sessions.json");
  await rm(file, { force: true });
  const storage = new FileStorage(file);
  const manager: NDKSessionManager = new NDKSessionManager(ndk, { inspect: printer.inspect, storage });

  // Logins back to back: alice becomes active, bob and carol join in the background.
  for (const a of accounts) await within(manager.login(a.signer, { setActive: a === alice }), `login of ${a.name}`);
  await waitFor(() => accounts.every((a) => printer.statusOf(a.pubkey) === "ready"), "three sessions to be ready", 5000);
  print(`${label("active")} ${nameOf(manager.activePubkey).padEnd(7)} ${wiring(ndk, manager, alice, nameOf)}`);

  for (const target of [bob, carol, alice]) {
    await manager.switchTo(target.pubkey);
    print(`${label("switch")} ${`→ ${target.name}`.padEnd(7)} ${wiring(ndk, manager, target, nameOf)}`);
  }

  // A live update of bob's follows while alice stays active.
  const before = manager.getSession(bob.pubkey)?.followSet?.size ?? 0;
  await within(publishSigned(ndk, bob.signer, { kind: 3, tags: [...bob.follows, randomPubkey()].map((pk) => ["p", pk]) }), "publishing bob's follows");
  print(`${label("publish")} bob     kind 3 with ${before + 1} follows (alice is active)`);
  await waitFor(() => manager.getSession(bob.pubkey)?.followSet?.size === before + 1, "bob's session to see the update");
  if (manager.activePubkey !== alice.pubkey) throw new Error("the update switched the active session");
  print(`${label("live")} bob     follows ${before} → ${before + 1} via the live subscription; no switch, active still ${nameOf(manager.activePubkey)}`);

  // Logout of bob: the shared live REQ that carried bob is replaced by one without him, then closed.
  const isLiveReq = (f: RelayFrame, pubkey: string) => f.type === "REQ" && !!f.filters?.some((x) => x.limit === 0 && x.authors?.includes(pubkey));
  const namesIn = (f: RelayFrame) => [...new Set(f.filters?.flatMap((x) => x.authors ?? []))].map(nameOf).join(", ");
  const oldReq = relay.frames.findLast((f) => isLiveReq(f, bob.pubkey));
  if (!oldReq?.subscriptionId) throw new Error("no live REQ for bob reached the relay");
  const openBefore = relay.openSubscriptions();
  const framesBefore = relay.frames.length;
  manager.logout(bob.pubkey);
  const newReq = () => relay.frames.slice(framesBefore).find((f) => isLiveReq(f, alice.pubkey) && !isLiveReq(f, bob.pubkey));
  await waitFor(() => relay.frames.some((f) => f.type === "CLOSE" && f.subscriptionId === oldReq.subscriptionId), "CLOSE of bob's live REQ");
  await waitFor(() => !!newReq() && relay.openSubscriptions() <= openBefore, "the live REQ re-issued without bob");
  if (manager.getSession(bob.pubkey) || ndk.signer?.pubkey === bob.pubkey) throw new Error("bob is still logged in");
  print(`${label("logout")} bob     live REQ ${oldReq.subscriptionId} (${namesIn(oldReq)}) closed; now ${newReq()!.subscriptionId} (${namesIn(newReq()!)})`);
  print(`${label("")} ${"".padEnd(7)} relay subscriptions ${openBefore} → ${relay.openSubscriptions()}; active still ${nameOf(manager.activePubkey)}`);

  await manager.persist();
  const saved = await readFile(file, "utf8");
  if (accounts.some((a) => saved.includes(a.signer.privateKey))) throw new Error("a private key reached the file");
  const { registry } = JSON.parse(saved) as { registry: { accounts: unknown[] } };
  print(`${label("save")} ${file}: ${registry.accounts.length} accounts with their lists, no private key in it`);

  const openAtEnd = relay.openSubscriptions();
  manager.destroy();
  await waitFor(() => relay.openSubscriptions() === 0, "the relay to hold no subscription");
  print(`${label("destroy")} manager actor ${manager.actor.getSnapshot().status}; relay subscriptions ${openAtEnd} → 0`);

  // A second manager restores from the file: the accounts come back reading, and say they need their key to sign.
  const restored = new NDKSessionManager(ndk, { storage });
  await within(restored.restore(), "restoring from the file");
  const follows = restored.getSession(alice.pubkey)?.followSet?.size;
  print(`${label("restore")} lists are back before any relay answers: alice follows ${follows}`);
  await waitFor(() => restored.getSession(alice.pubkey)?.signerState === "needsLogin", "alice to report her missing signer");
  await waitFor(() => restored.getSession(alice.pubkey)?.status === "ready", "alice's lists to refresh");
  print(`${label("")} ${"".padEnd(7)} ${[...restored.getSessions().keys()].map(nameOf).join(", ")} back; active ${nameOf(restored.activePubkey)}; ` +
    `alice reads (lists ${restored.getSession(alice.pubkey)?.status}), signer ${restored.getSession(alice.pubkey)?.signerState}: ` +
    `${restored.getSession(alice.pubkey)?.signerFailure?.code} (no key is stored)`);
  await within(restored.login(alice.signer), "alice logging in again");
  await waitFor(() => restored.getSession(alice.pubkey)?.signerState === "ready", "alice to sign again");
  print(`${label("login")} alice   again with her key → signer ${restored.getSession(alice.pubkey)?.signerState}; ndk.signer ${nameOf(ndk.signer?.pubkey)}`);
  restored.destroy();

  for (const r of ndk.pool.relays.values()) r.disconnect();
  await within(relay.close(), "closing the relay");
  print(`${label("done")} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** What NDK points at now; throws unless activeUser, signer and mute filter all belong to `expected`. */
function wiring(ndk: NDK, manager: NDKSessionManager, expected: DemoAccount, nameOf: (pk?: string) => string): string {
  const user = ndk.activeUser;
  const signerPubkey = ndk.signer?.pubkey;
  const probe = new NDKEvent(ndk, { kind: 1, content: `a note about ${expected.mutedWord}`, tags: [] });
  const hides = ndk.muteFilter?.(probe) === true;
  if (manager.activePubkey !== expected.pubkey || user?.pubkey !== expected.pubkey || signerPubkey !== expected.pubkey || !hides)
    throw new Error(`NDK is not wired to ${expected.name} (activeUser ${nameOf(user?.pubkey)}, signer ${nameOf(signerPubkey)})`);
  return `ndk.activeUser ${nameOf(user.pubkey)} ${shortNpub(user.npub)} · ndk.signer ${nameOf(signerPubkey)} · muteFilter hides "${expected.mutedWord}"`;
}

setTimeout(() => {
  console.error(`demo failed: not finished within ${OVERALL_DEADLINE_MS / 1000} s`);
  process.exit(1);
}, OVERALL_DEADLINE_MS).unref();

main().then(
  () => process.exit(0), // NDK keeps a 30 s timer per relay (upstream); nothing else is left to wait for
  (error: Error) => {
    console.error(`demo failed: ${error.message}`);
    process.exit(1);
  },
);
