import { describe, expect, it, vi } from "vitest";
import { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { publish } from "../support/env";
import { useRelay } from "../support/fixture";
import { managerFor } from "../support/engine";
import { MemoryStorage } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";

const fixture = useRelay();
const LOGN = 8; // tests keep scrypt cheap; the default (16) is measured by the bench

describe("NIP-49: keys kept under a passphrase", () => {
  it("restores locked (lists loaded and refreshed, no signing), refuses a wrong passphrase, unlocks, locks again", async () => {
    const storage = new MemoryStorage();
    const alice = NDKPrivateKeySigner.generate();
    await publish(fixture.ndk, alice, { kind: 3, tags: [["p", alice.pubkey]] });
    const first = managerFor(fixture.ndk, { storage, secrets: { logn: LOGN } });
    await first.manager.login(alice, { passphrase: "correct horse" });
    await first.ready(alice.pubkey);
    await first.manager.persist();
    await first.manager.destroy();
    const stored = (await storage.getItem("state"))!;
    expect(stored).toContain("ncryptsec1");
    for (const secret of [alice.privateKey, alice.nsec, "correct horse"]) expect(stored).not.toContain(secret);

    const second = managerFor(fixture.ndk, { storage, secrets: { logn: LOGN } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    await second.signer(alice.pubkey, "locked");
    expect(second.manager.getSession(alice.pubkey)!.followSet!.size).toBe(1);
    expect(second.manager.isReadOnly(alice.pubkey)).toBe(true);
    expect(fixture.ndk.activeUser?.pubkey).toBe(alice.pubkey);
    expect(fixture.ndk.signer).toBeUndefined();
    await second.ready(alice.pubkey); // a locked session still reads

    await expect(second.manager.unlock(alice.pubkey, "wrong")).rejects.toMatchObject({ name: "SignerError", code: "wrong-passphrase" });
    expect(second.signerState(alice.pubkey)).toBe("locked");
    await second.manager.unlock(alice.pubkey, "correct horse");
    await second.signer(alice.pubkey);
    expect(fixture.ndk.signer?.pubkey).toBe(alice.pubkey);

    second.manager.lock(alice.pubkey);
    expect(second.signerState(alice.pubkey)).toBe("locked");
    expect(fixture.ndk.signer).toBeUndefined();
    await second.manager.unlock(alice.pubkey, "correct horse");
    await second.signer(alice.pubkey);
  });

  it("asks a passphrase callback when none is given, and restoring locked sessions derives no key", async () => {
    const storage = new MemoryStorage();
    const signers = [0, 1, 2].map(() => NDKPrivateKeySigner.generate());
    const asked: string[] = [];
    const secrets = { logn: LOGN, passphrase: async (pubkey: string) => (asked.push(pubkey), `pass-${pubkey.slice(0, 8)}`) };
    const first = managerFor(fixture.ndk, { storage, secrets });
    for (const signer of signers) await first.manager.login(signer);
    await first.manager.persist();
    await first.manager.destroy();
    expect(asked.sort()).toEqual(signers.map((s) => s.pubkey).sort());

    const derive = vi.spyOn(NDKPrivateKeySigner, "fromNcryptsec");
    const second = managerFor(fixture.ndk, { storage, secrets });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    for (const signer of signers) await second.signer(signer.pubkey, "locked");
    expect(derive).not.toHaveBeenCalled();
    await second.manager.unlock(signers[1]!.pubkey); // the callback answers
    expect(derive).toHaveBeenCalledTimes(1);
    await second.signer(signers[1]!.pubkey);
    derive.mockRestore();
    expect(() => second.manager.lock(NDKPrivateKeySigner.generate().pubkey)).toThrow(expect.objectContaining({ name: "SessionNotFoundError" }));
  });
});

describe("AES-GCM: payloads sealed with a WebCrypto key", () => {
  it("restores signing sessions with the same key, and asks for a login with another one", async () => {
    const key = await generateSealingKey();
    const storage = new MemoryStorage();
    const alice = NDKPrivateKeySigner.generate();
    const first = managerFor(fixture.ndk, { storage, secrets: { key } });
    await first.manager.login(alice);
    await first.manager.persist();
    await first.manager.destroy();
    const stored = (await storage.getItem("state"))!;
    expect(stored).toContain('"aes-gcm"');
    expect(stored).not.toContain(alice.privateKey);

    const second = managerFor(fixture.ndk, { storage, secrets: { key } });
    fixture.defer(() => second.manager.destroy());
    await second.manager.restore();
    await second.signer(alice.pubkey);
    expect(second.manager.isReadOnly(alice.pubkey)).toBe(false);
    expect(fixture.ndk.signer?.pubkey).toBe(alice.pubkey);

    const third = managerFor(fixture.ndk, { storage, secrets: { key: await generateSealingKey() } });
    fixture.defer(() => third.manager.destroy());
    await third.manager.restore();
    await third.signer(alice.pubkey, "needsLogin");
    expect(third.manager.getSession(alice.pubkey)!.signerFailure!.code).toBe("signer-unavailable");
  });
});
