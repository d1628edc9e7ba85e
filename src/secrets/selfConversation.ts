import { NDKPrivateKeySigner, type NDKSigner } from "@nostr-dev-kit/ndk";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { v2 as nip44 } from "nostr-tools/nip44";

/**
 * Private list items (NIP-51) are NIP-44 encrypted to oneself. With a local key d, the shared
 * point d·P for one's own P = ±d·G is ±(d²)·G: a base-point multiplication, which runs on
 * precomputed tables about 4× faster than the general one behind `getConversationKey`, and it is
 * the larger part of reading a private mute list. Same key, same NIP-44 decryption, checked against
 * nostr-tools' in test/unit/selfConversation.test.ts.
 */
export function selfConversationKey(secretKey: Uint8Array): Uint8Array {
  const n = secp256k1.Point.CURVE().n;
  const d = BigInt(`0x${bytesToHex(secretKey)}`);
  const squared = hexToBytes(((d * d) % n).toString(16).padStart(64, "0"));
  const sharedX = secp256k1.getPublicKey(squared, true).subarray(1);
  return extract(sha256, sharedX, utf8ToBytes("nip44-v2"));
}

/** One per signer object, gone with it. */
const keys = new WeakMap<NDKSigner, Uint8Array>();

/**
 * Decrypts NIP-44 content a local-key signer encrypted to itself; undefined for any other signer
 * (remote, extension: they decrypt it themselves) or scheme. Throws on content that does not decrypt.
 */
export function decryptToSelf(signer: NDKSigner, content: string): string | undefined {
  if (!(signer instanceof NDKPrivateKeySigner) || content.includes("?iv=")) return undefined;
  let key = keys.get(signer);
  if (!key) keys.set(signer, (key = selfConversationKey(hexToBytes(signer.privateKey))));
  return nip44.decrypt(content, key);
}
