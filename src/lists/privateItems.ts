/**
 * NIP-51 private items: the list's content is a JSON array of tags encrypted to oneself. Read in
 * either scheme (older clients wrote NIP-04, recognisable by "?iv="), always written as NIP-44.
 */
import { PrivateItemsError } from "./listWriteErrors";

export type EncryptionScheme = "nip04" | "nip44";

/**
 * Encryption to the session's own pubkey, as its signer does it. Async because a remote signer
 * answers over relays; the effect that provides it owns timeouts and approval prompts.
 */
export interface ListCrypto {
  decrypt(ciphertext: string, scheme: EncryptionScheme): Promise<string>;
  /** Always NIP-44. */
  encrypt(plaintext: string): Promise<string>;
}

export const schemeOf = (content: string): EncryptionScheme => (content.includes("?iv=") ? "nip04" : "nip44");

/**
 * The private items of a content string. Entries that are not string tags are kept as they are:
 * they are somebody's data, and the next write carries them along untouched.
 */
export async function readPrivateItems(content: string, crypto: ListCrypto | undefined): Promise<unknown[]> {
  if (content === "") return [];
  if (!crypto) throw new PrivateItemsError("This list has private items and the session cannot decrypt them", "private-items-no-crypto");
  let plain: string;
  try {
    plain = await crypto.decrypt(content, schemeOf(content));
  } catch (cause) {
    throw new PrivateItemsError("The list's private items could not be decrypted", "private-items-unreadable", { cause });
  }
  let items: unknown;
  try {
    items = JSON.parse(plain);
  } catch (cause) {
    throw new PrivateItemsError("The list's private items are not JSON", "private-items-unreadable", { cause });
  }
  if (!Array.isArray(items)) throw new PrivateItemsError("The list's private items are not an array of tags", "private-items-unreadable");
  return items;
}

/** The content for these private items; "" for none, so readers need no decryption to know it. */
export async function writePrivateItems(items: readonly unknown[], crypto: ListCrypto | undefined): Promise<string> {
  if (items.length === 0) return "";
  if (!crypto) throw new PrivateItemsError("Private items need the session's signer to encrypt them", "private-items-no-crypto");
  try {
    return await crypto.encrypt(JSON.stringify(items));
  } catch (cause) {
    throw new PrivateItemsError("The list's private items could not be encrypted", "private-items-unwritable", { cause });
  }
}
