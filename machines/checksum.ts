import type { ListEntry } from "./types";

/**
 * A list entry's integrity checksum: FNV-1a (32 bits) over the JSON text of everything of it that is
 * stored, and over the 32-bit words of its data's bytes when the data holds them (a follow list:
 * `bytes`, 32 per key), which cost a tenth of hashing their stored text. It guards against bit rot
 * and bad writes of stored state, not against an attacker (one who can write storage can write a
 * matching sum, or anything else). Each step changes the state by a bijection, so any single
 * changed character or word always changes the sum; other damage goes unnoticed with a chance of
 * 2^-32. Plain JS, so it runs wherever the library does (no WebCrypto, which would make it async).
 *
 * Computed once, where an entry is made from a verified event or an edit (src/effects/ingest.ts,
 * src/lists/edits.ts, `localEdits`), and checked by the effects before a refresh of stored lists
 * (src/effects/integrity.ts). Pure: the machine calls it when it re-dates a local edit. Stored data
 * is checked once unpacked (a follow list's text must unpack to bytes first, see src/persistence).
 */
export function entrySum(entry: Pick<ListEntry, "key" | "kind" | "id" | "createdAt" | "data" | "partial">): string {
  const bytes = bytesOf(entry.data);
  // Fields in a fixed order, so the key order of the stored object does not matter; `data` keeps its own.
  const text = JSON.stringify([entry.key, entry.kind, entry.id, entry.createdAt, bytes ? { bytes: bytes.length } : entry.data, entry.partial === true]) ?? "";
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  if (bytes) hash = hashWords(hash, bytes);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

const bytesOf = (data: unknown): Uint8Array | undefined => {
  const bytes = (data as { bytes?: unknown } | null)?.bytes;
  return bytes instanceof Uint8Array ? bytes : undefined;
};

/** The hash continued over `bytes` (a multiple of 4 long), a 32-bit word at a time, each step a bijection of the state. */
function hashWords(hash: number, bytes: Uint8Array): number {
  const aligned = bytes.byteOffset % 4 === 0 && bytes.length % 4 === 0;
  const words = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4) : undefined;
  const count = Math.floor(bytes.length / 4);
  for (let i = 0; i < count; i++) {
    const word = words ? words[i]! : (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24)) >>> 0;
    hash = Math.imul(hash ^ word, 0x01000193);
    hash ^= hash >>> 15;
  }
  for (let i = count * 4; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash;
}

/** The entry with its checksum (a new object: entries are never changed in place). */
export const withSum = <T extends ListEntry>(entry: T): T => ({ ...entry, sum: entrySum(entry) });

/** Whether the entry is as it was when its checksum was computed; one without a checksum is not. */
export const sumHolds = (entry: ListEntry): boolean => typeof entry.sum === "string" && entry.sum === entrySum(entry);
