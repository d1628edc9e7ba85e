import type { NDKFilter } from "@nostr-dev-kit/ndk";
import type { ListsInput } from "../../machines";

/**
 * Same-second rivals (a NIP-01 tie: the lower id wins) come from two clients writing at once, and
 * reach relays with them. A list stored longer ago than this is asked for from the next second on:
 * asking from its own second would download every stored list again at every restore (72 MB for
 * 1,000 sessions of 1,000 follows) to look for a rival that cannot be new.
 */
export const TIE_WINDOW_SEC = 24 * 60 * 60;

/**
 * The filters of one REQ: kinds already stored are asked only from the stored `created_at` on; the
 * rest, and addressable kinds, in full. For a list stored within TIE_WINDOW_SEC the stored second
 * itself is included, so a rival event of that second with a lower id is fetched too; the stored
 * event that comes back with it is recognised by its id and skipped unverified (PendingFetch.stored).
 */
export function refreshFilters(pubkey: string, kinds: number[], known: NonNullable<ListsInput["known"]>, nowSec = Math.floor(Date.now() / 1000)): NDKFilter[] {
  const newest = new Map<number, number>();
  for (const { key, createdAt } of known) if (!key.includes(":")) newest.set(Number(key), createdAt);
  const full = kinds.filter((kind) => !newest.has(kind));
  const filters: NDKFilter[] = full.length ? [{ authors: [pubkey], kinds: full }] : [];
  for (const kind of kinds) {
    const createdAt = newest.get(kind);
    if (createdAt === undefined) continue;
    const since = nowSec - createdAt <= TIE_WINDOW_SEC ? createdAt : createdAt + 1;
    filters.push({ authors: [pubkey], kinds: [kind], since });
  }
  return filters;
}

/** Relay limits on one filter (the nostr-relay defaults; strfry's are larger). */
export const MAX_AUTHORS_PER_FILTER = 1000;
/**
 * A relay answers a filter with at most its own limit of events (strfry's default is 500, and a
 * filter without `limit` gets the relay's default, as low as 100): a filter asking for more lists
 * than that would silently lose some. Each replaceable kind is one event per author.
 */
export const MAX_EVENTS_PER_FILTER = 500;

/** What makes two filters mergeable: the same kinds and the same `since`. */
export const filterKey = (filter: NDKFilter) => `${filter.kinds?.join(",")}|${filter.since ?? ""}`;

/** NIP-01: kinds 0, 3 and 10000–19999 hold one event per author. */
const replaceable = (kind: number) => kind === 0 || kind === 3 || (kind >= 10_000 && kind < 20_000);

/**
 * The filters of many sessions' fetches as few filters: those asking the same kinds since the same
 * time become one filter with all their authors, as many as a relay answers in full (see
 * MAX_EVENTS_PER_FILTER; each such filter says its `limit`). A burst of logins is one filter; a
 * restore of sessions that knew nothing of the lists asked for is one per hundred sessions or so.
 */
export function mergeFilters(filters: readonly NDKFilter[]): NDKFilter[] {
  const merged = new Map<string, { filters: NDKFilter[]; authors: Set<string>; perFilter: number; counted: boolean }>();
  for (const filter of filters) {
    const key = filterKey(filter);
    let group = merged.get(key);
    if (!group) {
      const kinds = filter.kinds ?? [];
      const counted = kinds.length > 0 && kinds.every(replaceable);
      const perFilter = counted ? Math.max(1, Math.min(MAX_AUTHORS_PER_FILTER, Math.floor(MAX_EVENTS_PER_FILTER / kinds.length))) : MAX_AUTHORS_PER_FILTER;
      merged.set(key, (group = { filters: [], authors: new Set(), perFilter, counted }));
    }
    for (const author of filter.authors ?? []) {
      if (group.authors.has(author)) continue;
      group.authors.add(author);
      let last = group.filters.at(-1);
      if (!last || last.authors!.length >= group.perFilter) group.filters.push((last = { ...filter, authors: [] }));
      last.authors!.push(author);
    }
  }
  return [...merged.values()].flatMap((group) =>
    group.counted ? group.filters.map((filter) => ({ ...filter, limit: filter.authors!.length * filter.kinds!.length })) : group.filters,
  );
}
