import type { NDKFilter } from "@nostr-dev-kit/ndk";
import type { ListsInput } from "../../machines";

/**
 * The filters of one REQ: kinds already stored are asked only for newer events (`since` just past
 * the stored `created_at`, so unchanged lists are not sent again); the rest, and addressable kinds,
 * in full. A rival event with exactly the stored timestamp and a lower id is not fetched by a
 * refresh; a new login fetches everything.
 */
export function refreshFilters(pubkey: string, kinds: number[], known: NonNullable<ListsInput["known"]>): NDKFilter[] {
  const newest = new Map<number, number>();
  for (const { key, createdAt } of known) if (!key.includes(":")) newest.set(Number(key), createdAt);
  const full = kinds.filter((kind) => !newest.has(kind));
  const filters: NDKFilter[] = full.length ? [{ authors: [pubkey], kinds: full }] : [];
  for (const kind of kinds) {
    const createdAt = newest.get(kind);
    if (createdAt !== undefined) filters.push({ authors: [pubkey], kinds: [kind], since: createdAt + 1 });
  }
  return filters;
}
