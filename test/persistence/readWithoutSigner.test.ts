// Issue 9: a session that cannot sign still reads, and a restore runs on the restoring manager's options.
import { afterEach, describe, expect, it } from "vitest";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { eventually, publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor, savedSessions } from "../support/engine";
import { createFakeNip07, type FakeNip07 } from "../support/nip07";
import { MemoryStorage, type SessionManagerOptions } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";
import { nip07SignerFor } from "../../src/effects/nip07";

const fixture = useRelay();
const FOUR_LISTS = { follows: true, mutes: true, relayList: true, blockedRelays: true };
const randomPubkeys = (n: number) => Array.from({ length: n }, () => NDKPrivateKeySigner.generate().pubkey);
let extension: FakeNip07 | undefined;
afterEach(() => extension?.remove());

/** Signers with a contact list (3 follows each) and a mute list on the relay. */
async function withLists(count: number) {
  const signers = Array.from({ length: count }, () => NDKPrivateKeySigner.generate());
  await Promise.all(
    signers.map(async (signer) => {
      await publish(fixture.ndk, signer, { kind: 3, tags: randomPubkeys(3).map((p) => ["p", p]) });
      await publish(fixture.ndk, signer, { kind: 10000, tags: [["word", "spam"]] });
    }),
  );
  return signers;
}

/** Logs the signers in with `fetches: {}` (profile only), saves, destroys; returns the storage. */
async function savedWithoutLists(signers: NDKPrivateKeySigner[], options: SessionManagerOptions = {}) {
  const storage = new MemoryStorage();
  const first = managerFor(fixture.ndk, { storage, fetches: {}, ...options });
  for (const signer of signers) await first.manager.login(signer, { setActive: false });
  for (const signer of signers) await first.ready(signer.pubkey);
  await first.manager.switchTo(signers[0]!.pubkey);
  for (const signer of signers) expect(first.manager.getSession(signer.pubkey)!.followSet).toBeUndefined();
  await first.manager.persist();
  await first.manager.destroy();
  return storage;
}

/** REQ frames (fetches and the live subscription) that name any of these authors, since `from`. */
const reqsFor = (authors: string[], from: number) =>
  fixture.relay.frames.slice(from).filter((f) => f.type === "REQ" && f.filters?.some((filter) => filter.authors?.some((a) => authors.includes(a))));

describe("restore with the restoring manager's fetches", () => {
  it("50 sessions saved with `fetches: {}` and no key: all 50 follow sets load, in at most 2 REQs; each needs a login to sign", async () => {
    const signers = await withLists(50);
    const pubkeys = signers.map((s) => s.pubkey);
    const storage = await savedWithoutLists(signers);
    expect(await storage.getItem("state")).not.toContain(signers[0]!.privateKey);

    const from = fixture.relay.frames.length;
    const second = managerFor(fixture.ndk, { storage, fetches: FOUR_LISTS });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    // Ready: every list in (the follow list may arrive before the others).
    await eventually(() => pubkeys.every((pk) => second.manager.getSession(pk)?.status === "ready" && second.manager.getSession(pk)?.followSet?.size === 3), 5000, "50 follow sets");
    for (const pk of pubkeys) {
      await second.signer(pk, "needsLogin");
      expect(second.manager.getSession(pk)!.canSign).toBe(false);
      expect(second.manager.getSession(pk)!.mutedWords).toEqual(new Set(["spam"]));
    }
    expect(fixture.ndk.muteFilter).toBeTypeOf("function");
    expect(fixture.ndk.activeUser?.pubkey).toBe(pubkeys[0]);
    expect(reqsFor(pubkeys, from).length).toBeLessThanOrEqual(2);
  });

  it("sessions restored with their lists stored ask the relay once: one REQ refreshes every list and stays open for updates", async () => {
    const signers = await withLists(5);
    const pubkeys = signers.map((s) => s.pubkey);
    const storage = await savedSessions(fixture.ndk, signers, { fetches: FOUR_LISTS });
    const from = fixture.relay.frames.length;
    const second = managerFor(fixture.ndk, { storage, fetches: FOUR_LISTS });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    for (const pk of pubkeys) await second.ready(pk);
    // A newer list arriving live proves the REQ is open on the relay (and nothing replaced it meanwhile).
    const follows = randomPubkeys(4);
    // A second later than the stored list: a same-second one could lose the NIP-01 tie.
    await publish(fixture.ndk, signers[1]!, { kind: 3, tags: follows.map((p) => ["p", p]), created_at: Math.floor(Date.now() / 1000) + 1 });
    await eventually(() => second.manager.getSession(pubkeys[1]!)?.followSet?.size === 4, 3000, "the live update");
    const reqs = reqsFor(pubkeys, from);
    expect(reqs).toHaveLength(1);
    // Each stored list is asked from its own second (ties never missed), the live part with limit 0.
    expect(reqs[0]!.filters?.some((filter) => filter.kinds?.includes(3) && filter.since !== undefined)).toBe(true);
    expect(reqs[0]!.filters?.some((filter) => filter.limit === 0 && filter.authors?.length === 5)).toBe(true);
  });

  it("the same with `secrets: { key }`: all 50 load and sign", async () => {
    const key = await generateSealingKey();
    const signers = await withLists(50);
    const storage = await savedWithoutLists(signers, { secrets: { key } });
    const second = managerFor(fixture.ndk, { storage, fetches: FOUR_LISTS, secrets: { key } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    for (const signer of signers) {
      await second.signer(signer.pubkey);
      await eventually(() => second.manager.getSession(signer.pubkey)?.followSet?.size === 3, 5000, "follows");
      expect(second.manager.isReadOnly(signer.pubkey)).toBe(false);
    }
    expect(fixture.ndk.signer?.pubkey).toBe(signers[0]!.pubkey);
  });

  it("a NIP-07 session restored in Node beside 4 private-key sessions: all 5 read, the 4 sign, the NIP-07 one says its extension is missing", async () => {
    const key = await generateSealingKey();
    const secret = generateSecretKey();
    const extensionPubkey = getPublicKey(secret);
    const signers = await withLists(4);
    await publish(fixture.ndk, new NDKPrivateKeySigner(secret), { kind: 3, tags: randomPubkeys(3).map((p) => ["p", p]) });
    extension = createFakeNip07(secret);
    const storage = new MemoryStorage();
    const first = managerFor(fixture.ndk, { storage, secrets: { key }, timeouts: { signerMs: 300, fetchMs: 2000 } });
    await first.manager.login(nip07SignerFor(fixture.ndk, 300));
    for (const signer of signers) await first.manager.login(signer, { setActive: false });
    await first.manager.persist();
    await first.manager.destroy();
    extension.remove(); // Node, as it is: no window.nostr

    const second = managerFor(fixture.ndk, { storage, secrets: { key }, timeouts: { signerMs: 300, fetchMs: 2000 } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    for (const pubkey of [extensionPubkey, ...signers.map((s) => s.pubkey)])
      await eventually(() => second.manager.getSession(pubkey)?.followSet?.size === 3, 3000, "lists");
    for (const signer of signers) await second.signer(signer.pubkey);
    await second.signer(extensionPubkey, "extensionAway");
    expect(second.manager.getSession(extensionPubkey)!.signerFailure!.code).toBe("extension-missing");
    expect(second.manager.getSession(extensionPubkey)!.status).toBe("ready");
  });
});

describe("a locked session reads", () => {
  it("a NIP-49 session receives a newer contact list published while it is locked", async () => {
    const alice = NDKPrivateKeySigner.generate();
    const t = Math.floor(Date.now() / 1000) - 10;
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", randomPubkeys(1)[0]!]], created_at: t });
    const storage = new MemoryStorage();
    const first = managerFor(fixture.ndk, { storage, secrets: { logn: 8 } });
    await first.manager.login(alice, { passphrase: "correct horse" });
    await first.ready(alice.pubkey);
    await first.manager.persist();
    await first.manager.destroy();

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    await second.signer(alice.pubkey, "locked");
    await second.ready(alice.pubkey);
    await eventually(() => fixture.relay.openSubscriptions() > 0, 2000, "the live subscription");
    const newer = randomPubkeys(2);
    await publish(fixture.ndk, alice, { kind: 3, tags: newer.map((p) => ["p", p]), created_at: t + 1 });
    await eventually(() => newer.every((p) => second.manager.getSession(alice.pubkey)!.followSet!.has(p)), 3000, "the newer list");
    expect(second.signerState(alice.pubkey)).toBe("locked");
  });
});
