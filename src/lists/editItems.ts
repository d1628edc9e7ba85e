/**
 * Edits applied to one section of a list (its public tags, or its decrypted private items). Only
 * the items an edit names move; everything else — unknown tags, their order, extra fields, entries
 * that are not tags at all — stays exactly as it was.
 */
import type { ListEdit } from "./listEdit";
import { itemKey } from "./tagIdentity";

interface Slot {
  item: unknown;
  key: string | undefined;
}

/** The items after the edits, in order; keys are computed once (a follow list can hold thousands). */
export function editItems(items: readonly unknown[], edits: readonly ListEdit[]): unknown[] {
  let slots: Slot[] = items.map((item) => ({ item, key: itemKey(item) }));
  for (const edit of edits) {
    const key = itemKey(edit.tag);
    if (key === undefined) continue; // validateWrite refuses these; never match on an undefined key
    const fresh: Slot = { item: [...edit.tag], key };
    if (edit.op === "add") {
      // Already there: the existing tag wins, with its relay hint and petname.
      if (!slots.some((slot) => slot.key === key)) slots.push(fresh);
    } else if (edit.op === "remove") {
      slots = slots.filter((slot) => slot.key !== key);
    } else {
      const first = slots.findIndex((slot) => slot.key === key);
      if (first < 0) slots.push(fresh);
      // In place, so a relay keeps its position; later duplicates go, or their markers would still count.
      else slots = slots.flatMap((slot, i) => (i === first ? [fresh] : slot.key === key ? [] : [slot]));
    }
  }
  return slots.map((slot) => slot.item);
}

/** Whether two item arrays hold the same items in the same order (deep, as they would serialise). */
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i] || JSON.stringify(item) === JSON.stringify(b[i]));
}
