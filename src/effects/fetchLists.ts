import { NDKSubscriptionCacheUsage, type NDKEvent, type NDKFilter, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { mergeEntries, type ListEntry, type ListsInput } from "../../machines";
import { failure } from "../errors";
import { ingest } from "./ingest";
import type { EngineRuntime } from "./runtime";
import { ingestContextFor } from "./signers";
import { startSubscription } from "./subscribe";
import { reviveNeverConnectedRelays } from "./reviveRelays";

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

/**
 * One REQ for a session's lists, sent at once (not grouped), closed on EOSE and bounded by
 * `timeouts.fetchMs`. Resolves with the newest verified entry of each slot.
 */
export function fetchLists(runtime: EngineRuntime, input: ListsInput, signal: AbortSignal): Promise<ListEntry[]> {
  return runtime.fetchGate.run(() => fetchOnce(runtime, input, signal), signal);
}

function fetchOnce(runtime: EngineRuntime, { pubkey, kinds, known = [] }: ListsInput, signal: AbortSignal): Promise<ListEntry[]> {
  if (kinds.length === 0) return Promise.resolve([]);
  reviveNeverConnectedRelays(runtime.ndk);
  const context = ingestContextFor(runtime, pubkey, kinds);
  // An id we stored was verified then; skipping it never applies anything (a forgery reusing it included).
  const stored = new Set(known.map((entry) => entry.id));
  const pending: Array<Promise<ListEntry | undefined>> = [];
  let subscription: NDKSubscription | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  return new Promise<ListEntry[]>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      subscription?.stop();
      outcome();
    };
    const collect = () =>
      Promise.all(pending).then((entries) => mergeEntries({}, entries.filter((e): e is ListEntry => !!e)));
    const abort = () => finish(() => reject(failure("aborted", "The fetch was cancelled")));
    signal.addEventListener("abort", abort, { once: true });

    timer = setTimeout(() => {
      const connected = runtime.ndk.pool.connectedRelays().length;
      finish(() =>
        reject(
          connected === 0
            ? failure("offline", "No relay is connected")
            : failure("relay-timeout", `No relay finished sending the lists within ${runtime.timeouts.fetchMs} ms`),
        ),
      );
    }, runtime.timeouts.fetchMs);

    subscription = startSubscription(runtime.ndk, refreshFilters(pubkey, kinds, known), {
        closeOnEose: true,
        groupable: false, // a login's first fetch never waits on a grouping delay
        skipVerification: true, // ingest() verifies every event fully
      skipValidation: true,
        includeMuted: true,
        cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
        onEvent: (event: NDKEvent) => {
          if (!stored.has(event.id)) pending.push(ingest(event.rawEvent() as NostrEvent, context));
        },
        onEose: () => finish(() => collect().then((slots) => resolve(Object.values(slots)), reject)),
    });
  });
}
