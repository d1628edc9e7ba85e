import { Kind, type ListSlots } from "../../machines";
import { PackedPubkeys } from "../lists/packedPubkeys";

/**
 * Stored lists as the engine holds them: a follow list's base64url text becomes its bytes
 * (PackedPubkeys). Done in place, on lists just parsed from stored text; an entry that does not
 * unpack (damaged) is removed, so its session fetches it again. Returns the removed keys.
 */
export function unpackLists(lists: ListSlots): string[] {
  const removed: string[] = [];
  for (const [key, entry] of Object.entries(lists)) {
    if (entry.kind !== Kind.Contacts) continue;
    const packed = PackedPubkeys.fromStored(entry.data);
    if (packed) entry.data = packed;
    else {
      delete lists[key];
      removed.push(key);
    }
  }
  return removed;
}
