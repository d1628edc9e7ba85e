import { NDKPrivateKeySigner, NDKUser, type NDKSigner } from "@nostr-dev-kit/ndk";
import { bytesToHex } from "@noble/hashes/utils.js";
import { generateSecretKey, getPublicKey } from "nostr-tools/pure";
import { v2 as nip44 } from "nostr-tools/nip44";
import { describe, expect, it } from "vitest";
import { decryptToSelf, selfConversationKey } from "../../src/secrets/selfConversation";

describe("NIP-44 to oneself with a local key", () => {
  it("derives the same conversation key as nostr-tools for 64 random keys", () => {
    for (let i = 0; i < 64; i++) {
      const secret = generateSecretKey();
      const expected = nip44.utils.getConversationKey(secret, getPublicKey(secret));
      expect(bytesToHex(selfConversationKey(secret))).toBe(bytesToHex(expected));
    }
  });

  it("reads what NDK's own signer encrypted to itself, and refuses a tampered payload", async () => {
    const signer = NDKPrivateKeySigner.generate();
    const self = new NDKUser({ pubkey: (await signer.user()).pubkey });
    const plain = JSON.stringify([["p", "a".repeat(64)], ["word", "spoiler"]]);
    const payload = await signer.encrypt(self, plain, "nip44");
    expect(decryptToSelf(signer, payload)).toBe(plain);
    const tampered = payload.slice(0, 40) + (payload[40] === "A" ? "B" : "A") + payload.slice(41);
    expect(() => decryptToSelf(signer, tampered)).toThrow();
  });

  it("leaves NIP-04 content and signers without a local key to the signer itself", async () => {
    const signer = NDKPrivateKeySigner.generate();
    const self = new NDKUser({ pubkey: (await signer.user()).pubkey });
    const nip04 = await signer.encrypt(self, "legacy", "nip04");
    expect(nip04).toContain("?iv=");
    expect(decryptToSelf(signer, nip04)).toBeUndefined();
    const remote = { decrypt: signer.decrypt.bind(signer), user: signer.user.bind(signer) } as unknown as NDKSigner;
    expect(decryptToSelf(remote, await signer.encrypt(self, "x", "nip44"))).toBeUndefined();
  });
});
