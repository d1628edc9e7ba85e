/**
 * Which tag is "the same item" as another. Other clients write the same item with different
 * spellings (upper-case hex, a relay URL with a trailing slash, "#Nostr" for "nostr"); comparing raw
 * strings would add a duplicate on follow and, worse, leave the item in place on unfollow or unmute.
 */
import { normalizeRelayUrl } from "./relayUrl";

/** A pubkey or event id as clients write it: 64 hex characters, in either case. */
export const HEX64 = /^[0-9a-f]{64}$/i;
// "kind:pubkey:d" — the pubkey part is hex and compared as such; the d part is case-sensitive.
const ADDRESS = /^(\d+):([0-9a-f]{64}):/i;

/** A tag value in the one spelling items are compared by (builders and `isMuted` write and look up the same). */
export function normalizeValue(name: string, value: string): string {
  switch (name) {
    case "p":
    case "e":
      return HEX64.test(value) ? value.toLowerCase() : value;
    case "a":
      return value.replace(ADDRESS, (_, kind: string, pubkey: string) => `${kind}:${pubkey.toLowerCase()}:`);
    case "r":
    case "relay":
      // Not every `r` tag is a relay (bookmarks hold web URLs): those are compared as written.
      return normalizeRelayUrl(value) ?? value.trim();
    case "word":
      // Mute matching is case-insensitive (parse.ts), so "Bitcoin" and "bitcoin" mute the same notes.
      return value.trim().toLowerCase();
    case "t":
      return value.trim().replace(/^#/, "").toLowerCase();
    default:
      return value;
  }
}

/**
 * The identity of a tag: its name and normalised value. Undefined for anything that is not a tag
 * with a name and a non-empty value: such entries are never matched, so an edit leaves them alone.
 */
export function itemKey(tag: unknown): string | undefined {
  if (!Array.isArray(tag)) return undefined;
  const [name, value] = tag as unknown[];
  if (typeof name !== "string" || typeof value !== "string" || name === "" || value === "") return undefined;
  return `${name}\u0000${normalizeValue(name, value)}`;
}
