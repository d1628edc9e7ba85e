import type { NDKFilter } from "@nostr-dev-kit/ndk";
import { Kind, type EntryRef } from "../../machines";

/**
 * The filters of one REQ: kinds already stored are asked only from the stored `created_at` on; the
 * rest, and addressable kinds, in full. The stored second itself is included, so a rival event of
 * that second with a lower id (a NIP-01 tie: two clients writing at once) is fetched and the NIP-01
 * rule decides; the stored event that comes back with it is recognised by its id and skipped
 * unverified (PendingFetch.stored).
 *
 * `tieWindowSec` (the manager's `refresh.tieWindowSec`, off by default) trades that for bandwidth:
 * a list stored longer ago than it is asked from the next second, so the stored list is not
 * downloaded again at every restore (72 MB for 1,000 sessions of 1,000 follows) — and an old
 * same-second rival that reached the relays late is missed.
 */
export function refreshFilters(
  pubkey: string,
  kinds: number[],
  known: readonly EntryRef[],
  tieWindowSec?: number,
  nowSec = Math.floor(Date.now() / 1000),
): NDKFilter[] {
  const newest = new Map<number, number>();
  for (const { key, createdAt } of known) if (!key.includes(":")) newest.set(Number(key), createdAt);
  const full = kinds.filter((kind) => !newest.has(kind));
  // The follow list in a filter of its own, first: a relay answers filter by filter, so the list a
  // home feed waits for is not queued behind the others (~1 ms each to receive and verify).
  const followsFirst = full.length > 1 && full.includes(Kind.Contacts);
  const rest = followsFirst ? full.filter((kind) => kind !== Kind.Contacts) : full;
  const filters: NDKFilter[] = followsFirst ? [{ authors: [pubkey], kinds: [Kind.Contacts] }] : [];
  if (rest.length) filters.push({ authors: [pubkey], kinds: rest });
  for (const kind of kinds) {
    const createdAt = newest.get(kind);
    if (createdAt === undefined) continue;
    const skipsTie = tieWindowSec !== undefined && nowSec - createdAt > tieWindowSec;
    filters.push({ authors: [pubkey], kinds: [kind], since: skipsTie ? createdAt + 1 : createdAt });
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
