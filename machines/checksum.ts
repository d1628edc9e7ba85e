import type { ListEntry } from "./types";

/**
 * A list entry's integrity checksum: FNV-1a (32 bits) over the JSON text of everything of it that is
 * stored. It guards against bit rot and bad writes of stored state, not against an attacker (one who
 * can write storage can write a matching sum, or anything else). FNV-1a changes its state with every
 * character by a bijection, so any single changed character of a text of the same length always
 * changes the sum; other damage goes unnoticed with a chance of 2^-32. Plain JS, so it runs wherever
 * the library does (no WebCrypto, which would make it async).
 *
 * Computed once, where an entry is made from a verified event or an edit (src/effects/ingest.ts,
 * src/lists/edits.ts, `localEdits`), and checked by the effects before a refresh of stored lists
 * (src/effects/integrity.ts). Pure: the machine calls it when it re-dates a local edit.
 */
export function entrySum(entry: Pick<ListEntry, "key" | "kind" | "id" | "createdAt" | "data" | "partial">): string {
  // Fields in a fixed order, so the key order of the stored object does not matter; `data` keeps its own.
  const text = JSON.stringify([entry.key, entry.kind, entry.id, entry.createdAt, entry.data, entry.partial === true]) ?? "";
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** The entry with its checksum (a new object: entries are never changed in place). */
export const withSum = <T extends ListEntry>(entry: T): T => ({ ...entry, sum: entrySum(entry) });

/** Whether the entry is as it was when its checksum was computed; one without a checksum is not. */
export const sumHolds = (entry: ListEntry): boolean => typeof entry.sum === "string" && entry.sum === entrySum(entry);
