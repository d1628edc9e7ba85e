/**
 * Real keys and real NIP-44/NIP-04 for list-write tests: an NDKPrivateKeySigner as `ListCrypto`,
 * with call counts (to show public edits never decrypt), and a reader that checks results with
 * nostr-tools directly rather than through the code under test.
 */
import { NDKPrivateKeySigner, NDKUser } from "@nostr-dev-kit/ndk";
import { hexToBytes } from "@noble/hashes/utils.js";
import * as nip04 from "nostr-tools/nip04";
import * as nip44 from "nostr-tools/nip44";
import { finalizeEvent, type NostrEvent } from "nostr-tools/pure";
import type { ListCrypto } from "../../src/lists/privateItems";

export interface TestAccount {
  signer: NDKPrivateKeySigner;
  pubkey: string;
  crypto: ListCrypto;
  calls: { decrypt: number; encrypt: number };
  /** Signs a list event as this account (a real, verifiable event). */
  sign(kind: number, tags: string[][], content?: string, created_at?: number): NostrEvent;
  /** NIP-44 to self, by nostr-tools. */
  seal(items: unknown[]): string;
  /** NIP-04 to self, as older clients wrote private items. */
  sealNip04(items: unknown[]): string;
  /** Decrypts content with nostr-tools (either scheme) and parses the items. */
  open(content: string): unknown[];
}

export function testAccount(): TestAccount {
  const signer = NDKPrivateKeySigner.generate();
  const secret = hexToBytes(signer.privateKey);
  const self = new NDKUser({ pubkey: signer.pubkey });
  const key = nip44.getConversationKey(secret, signer.pubkey);
  const calls = { decrypt: 0, encrypt: 0 };
  return {
    signer,
    pubkey: signer.pubkey,
    calls,
    crypto: {
      decrypt(ciphertext, scheme) {
        calls.decrypt++;
        return signer.decrypt(self, ciphertext, scheme);
      },
      encrypt(plaintext) {
        calls.encrypt++;
        return signer.encrypt(self, plaintext, "nip44");
      },
    },
    sign: (kind, tags, content = "", created_at = 1_700_000_000) => finalizeEvent({ kind, tags, content, created_at }, secret),
    seal: (items) => nip44.encrypt(JSON.stringify(items), key),
    sealNip04: (items) => nip04.encrypt(secret, signer.pubkey, JSON.stringify(items)),
    open: (content) => JSON.parse(content.includes("?iv=") ? nip04.decrypt(secret, signer.pubkey, content) : nip44.decrypt(content, key)) as unknown[],
  };
}
