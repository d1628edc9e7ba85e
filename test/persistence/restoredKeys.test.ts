/**
 * Restored local keys are built when first asked for (deriving a pubkey costs ~0.4 ms of curve
 * arithmetic per key, most of a 50-session restore): the sessions sign at once, the signers map
 * lists every one of them, and a key that derives another pubkey is caught when it is used.
 */
import { describe, expect, it } from "vitest";
import { NDKEvent, NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { verifyEvent } from "nostr-tools/pure";
import { useRelay } from "../support/fixture";
import { managerFor, savedSessions } from "../support/engine";

const fixture = useRelay();

const savedKeys = (signers: NDKPrivateKeySigner[]) => savedSessions(fixture.ndk, signers, { unsafePersistPrivateKeys: true });

describe("restored local keys", () => {
  it("sign at once; the signers map lists each, and reading an entry gives its NDKPrivateKeySigner, which signs as its session", async () => {
    const signers = Array.from({ length: 3 }, () => NDKPrivateKeySigner.generate());
    const storage = await savedKeys(signers);

    const second = managerFor(fixture.ndk, { storage });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    for (const signer of signers) {
      await second.ready(signer.pubkey);
      await second.signer(signer.pubkey);
      expect(second.manager.getSession(signer.pubkey)!.canSign).toBe(true);
    }
    const { signers: map } = second.manager.getCurrentState();
    expect(map).toBeInstanceOf(Map);
    expect(map.size).toBe(3);
    for (const signer of signers) expect(map.has(signer.pubkey)).toBe(true);

    const last = signers[2]!; // not the active one: nothing has asked for its signer yet
    const built = map.get(last.pubkey);
    expect(built).toBeInstanceOf(NDKPrivateKeySigner);
    expect(built!.pubkey).toBe(last.pubkey);
    expect(map.get(last.pubkey)).toBe(built); // built once
    const note = new NDKEvent(fixture.ndk, { kind: 1, content: "restored key", tags: [], created_at: Math.floor(Date.now() / 1000) });
    await note.sign(built);
    expect(note.pubkey).toBe(last.pubkey);
    expect(verifyEvent(note.rawEvent() as Parameters<typeof verifyEvent>[0])).toBe(true);

    expect([...map.keys()].sort()).toEqual(signers.map((s) => s.pubkey).sort());
    for (const [pubkey, signer] of map) {
      expect(signer).toBeInstanceOf(NDKPrivateKeySigner);
      expect(signer.pubkey).toBe(pubkey);
    }
    // Building a signer changed nothing the state shows: the state keeps the same map.
    expect(second.manager.getCurrentState().signers).toBe(map);
    // The active session's signer is NDK's, the same object as the map's.
    expect(fixture.ndk.signer).toBe(map.get(signers[0]!.pubkey));
  });

  it("a stored key that derives another pubkey signs nothing once asked: the session says signer-mismatch, still reads, and the stored key is kept", async () => {
    const [alice, bob] = [NDKPrivateKeySigner.generate(), NDKPrivateKeySigner.generate()];
    const storage = await savedKeys([alice, bob]);
    const text = (await storage.getItem("state"))!;
    const tampered = JSON.parse(text);
    const bobsPayload = tampered.unsafeSecrets[bob.pubkey];
    tampered.unsafeSecrets[alice.pubkey] = bobsPayload;
    await storage.setItem("state", JSON.stringify(tampered));

    const second = managerFor(fixture.ndk, { storage, autoSave: false, unsafePersistPrivateKeys: true });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    // Alice is active: NDK asks for her signer at once, and the key is found to be Bob's.
    await second.signer(alice.pubkey, "needsLogin");
    const session = second.manager.getSession(alice.pubkey)!;
    expect(session.signerFailure?.code).toBe("signer-mismatch");
    expect(session.canSign).toBe(false);
    await second.ready(alice.pubkey);
    expect(fixture.ndk.signer).toBeUndefined();
    expect(second.manager.getCurrentState().signers.has(alice.pubkey)).toBe(false);
    // Bob's own session is untouched and signs.
    await second.signer(bob.pubkey);
    const bobs = second.manager.getCurrentState().signers.get(bob.pubkey)!;
    expect(bobs.pubkey).toBe(bob.pubkey);

    await second.manager.persist();
    const kept = JSON.parse((await storage.getItem("state"))!);
    expect(kept.unsafeSecrets[alice.pubkey]).toBe(bobsPayload);
  });
});
