import { afterAll, beforeAll, expect, it } from "vitest";
import { finalizeEvent, generateSecretKey, getPublicKey, type NostrEvent } from "nostr-tools/pure";
import { connectedNdk, disconnect, withRelay, publish, NDKPrivateKeySigner } from "../support/env";
import { startHostileRelay, type HostileRelay } from "../support/hostileRelay";
import { managerFor } from "../support/engine";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";

let relay: LoopbackRelay;
let hostile: HostileRelay;
const aliceKey = generateSecretKey();
const alice = getPublicKey(aliceKey);
const mallory = generateSecretKey();
const genuineFollow = getPublicKey(generateSecretKey());
const now = Math.floor(Date.now() / 1000);
let forged: NostrEvent[] = [];

beforeAll(async () => {
  relay = await withRelay();
  hostile = await startHostileRelay((filters) => (filters.some((f) => (f.authors as string[] | undefined)?.includes(alice)) ? forged : []));
  const genuine = finalizeEvent({ kind: 3, created_at: now - 100, tags: [["p", genuineFollow]], content: "" }, aliceKey);
  const attackerFollow = getPublicKey(generateSecretKey());
  const newerByAlice = finalizeEvent({ kind: 3, created_at: now - 10, tags: [["p", attackerFollow]], content: "" }, aliceKey);
  const byMallory = finalizeEvent({ kind: 3, created_at: now, tags: [["p", attackerFollow]], content: "" }, mallory);
  forged = [
    // signature of another event
    { ...newerByAlice, created_at: now - 5, id: newerByAlice.id, sig: byMallory.sig },
    // a genuine id and signature over tampered tags (NDK trusts ids it verified before)
    { ...genuine, tags: [["p", attackerFollow]] },
    // validly signed by someone else, claiming to be alice
    { ...byMallory, pubkey: alice },
    // validly signed by someone else, under their own name, on alice's subscription
    byMallory,
    // genuine, but with a bad id
    { ...newerByAlice, id: "f".repeat(64) },
  ];
  const seeder = await connectedNdk([relay.url]);
  await publish(seeder, new NDKPrivateKeySigner(Buffer.from(aliceKey).toString("hex")), {
    kind: 3,
    tags: genuine.tags,
    created_at: genuine.created_at,
  });
  disconnect(seeder);
});
afterAll(async () => {
  await hostile.close();
  await relay.close();
});

it("ignores forged, tampered and other-author events from a lying relay, on fetch and live", async () => {
  const ndk = await connectedNdk([relay.url, hostile.url]);
  const { manager, ready } = managerFor(ndk);
  try {
    await manager.login(ndk.getUser({ pubkey: alice }));
    await ready(alice);
    expect([...manager.getSession(alice)!.followSet!]).toEqual([genuineFollow]);
    // The shared live subscription reached the lying relay too, and got the same lies.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([...manager.getSession(alice)!.followSet!]).toEqual([genuineFollow]);
    expect(manager.getSessions().has(getPublicKey(mallory))).toBe(false);
  } finally {
    manager.destroy();
    disconnect(ndk);
  }
});
