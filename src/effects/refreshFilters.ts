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

/** Relay limits on one filter (the nostr-relay defaults; strfry's are larger). */
export const MAX_AUTHORS_PER_FILTER = 1000;

/** What makes two filters mergeable: the same kinds and the same `since`. */
export const filterKey = (filter: NDKFilter) => `${filter.kinds?.join(",")}|${filter.since ?? ""}`;

/**
 * The filters of many sessions' fetches as few filters: those asking the same kinds since the same
 * time become one filter with all their authors (at most MAX_AUTHORS_PER_FILTER each). A burst of
 * logins is one filter; a restore of sessions that knew nothing of the lists asked for is one too.
 */
export function mergeFilters(filters: readonly NDKFilter[]): NDKFilter[] {
  const merged = new Map<string, { filters: NDKFilter[]; authors: Set<string> }>();
  for (const filter of filters) {
    const key = filterKey(filter);
    let group = merged.get(key);
    if (!group) merged.set(key, (group = { filters: [], authors: new Set() }));
    for (const author of filter.authors ?? []) {
      if (group.authors.has(author)) continue;
      group.authors.add(author);
      let last = group.filters.at(-1);
      if (!last || last.authors!.length >= MAX_AUTHORS_PER_FILTER) group.filters.push((last = { ...filter, authors: [] }));
      last.authors!.push(author);
    }
  }
  return [...merged.values()].flatMap((group) => group.filters);
}
