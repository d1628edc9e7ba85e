import { entrySum } from "./checksum";
import type { EntryRef, FetchedLists, FetchPlan, ListEntry, ListSlots } from "./types";

export const Kind = {
  Profile: 0,
  Contacts: 3,
  MuteList: 10000,
  BlockedRelays: 10006,
  RelayList: 10002,
  Wallet: 17375,
  NutzapInfo: 10019,
} as const;

/**
 * NIP-01 for replaceable and addressable events: a newer `created_at` wins; on a tie the lowest id
 * wins; an older event never replaces what is stored. The same event again replaces it only when it
 * was read without the signer and now brings its private items.
 */
export function supersedes(incoming: Pick<ListEntry, "id" | "createdAt" | "partial">, stored?: Pick<ListEntry, "id" | "createdAt" | "partial">): boolean {
  if (!stored) return true;
  if (incoming.createdAt !== stored.createdAt) return incoming.createdAt > stored.createdAt;
  if (incoming.id === stored.id) return stored.partial === true && incoming.partial !== true;
  return incoming.id < stored.id;
}

/** The slots after taking every entry that supersedes what is stored; the same object when nothing changed. */
export function mergeEntries(slots: ListSlots, entries: readonly ListEntry[]): ListSlots {
  let next = slots;
  for (const entry of entries) {
    if (!supersedes(entry, next[entry.key])) continue;
    if (next === slots) next = { ...slots };
    next[entry.key] = entry;
  }
  return next;
}

/**
 * The app's own edits (updateSession) as entries that supersede what is stored: each one is made
 * newer than the entry it replaces (a second past it when the clock is behind), so a later relay
 * list — a newer event — replaces it in turn by the same NIP-01 rule.
 */
export function localEdits(slots: ListSlots, entries: readonly ListEntry[]): ListEntry[] {
  return entries.map((entry) => {
    const stored = slots[entry.key];
    if (!stored || entry.createdAt > stored.createdAt) return entry;
    const redated = { ...entry, createdAt: stored.createdAt + 1 };
    // Its checksum covers createdAt: computed again, so the stored edit is not taken for damage.
    return entry.sum === undefined ? redated : { ...redated, sum: entrySum(redated) };
  });
}

/**
 * The slots after a fetch: each damaged entry it names is dropped while the slot still holds it (a
 * newer list that arrived meanwhile stays), then the fetched entries are taken by the NIP-01 rule —
 * so the relays' copy of a damaged list replaces it even with the same id and created_at.
 */
export function refreshedLists(slots: ListSlots, { entries, damaged = [] }: FetchedLists): ListSlots {
  let next = slots;
  for (const { key, id, createdAt } of damaged) {
    const held = next[key];
    if (!held || held.id !== id || held.createdAt !== createdAt) continue;
    if (next === slots) next = { ...slots };
    delete next[key];
  }
  return mergeEntries(next, entries);
}

/**
 * What a refresh may skip: the stored entries it need not read again. An entry read without the
 * signer is left out, so the next refresh brings its private items.
 */
export function knownEntries(slots: ListSlots): EntryRef[] {
  const known: EntryRef[] = [];
  for (const { key, id, createdAt, partial } of Object.values(slots)) if (!partial) known.push({ key, id, createdAt });
  return known;
}

/** The lists without the entries of writes no relay took yet (see ListEntry.pending): what may be stored or restored. */
export function confirmedLists(slots: ListSlots): ListSlots {
  if (!Object.values(slots).some((entry) => entry.pending)) return slots;
  return Object.fromEntries(Object.entries(slots).filter(([, entry]) => !entry.pending));
}

/** The lists with the slot's entry confirmed: a relay took the write that made it. */
export function confirmedSlot(slots: ListSlots, key: string): ListSlots {
  const entry = slots[key];
  if (!entry?.pending) return slots;
  const { pending: _taken, ...confirmed } = entry;
  return { ...slots, [key]: confirmed };
}

export const hasPartialEntries = (slots: ListSlots) => Object.values(slots).some((entry) => entry.partial === true);

/** The kinds a plan asks relays for, sorted and without duplicates. */
export function kindsOf(plan: FetchPlan, walletEnabled: boolean | undefined): number[] {
  const kinds = new Set<number>(plan.kinds);
  if (plan.profile) kinds.add(Kind.Profile);
  if (plan.follows) kinds.add(Kind.Contacts);
  if (plan.mutes) kinds.add(Kind.MuteList);
  if (plan.blockedRelays) kinds.add(Kind.BlockedRelays);
  if (plan.relayList) kinds.add(Kind.RelayList);
  if (walletEnabled ?? plan.wallet) {
    kinds.add(Kind.Wallet);
    kinds.add(Kind.NutzapInfo);
  }
  return [...kinds].sort((a, b) => a - b);
}

/** Lists whose change must re-wire NDK's mute and relay filters when their session is active. */
export const FILTER_KINDS: ReadonlySet<number> = new Set([Kind.MuteList, Kind.BlockedRelays]);

export function slotKey(kind: number, dTag: string | undefined): string {
  return kind >= 30000 && kind < 40000 ? `${kind}:${dTag ?? ""}` : String(kind);
}
