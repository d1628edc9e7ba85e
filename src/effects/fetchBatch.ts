import { NDKSubscriptionCacheUsage, type NDKEvent, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import type NDK from "@nostr-dev-kit/ndk";
import { mergeEntries, type Hexpubkey, type ListEntry } from "../../machines";
import { failure, NoWebSocketError } from "../errors";
import type { Gate } from "./gate";
import { filterKey, mergeFilters, refreshFilters } from "./refreshFilters";
import { ingest, type IngestContext } from "./ingest";
import { reviveNeverConnectedRelays } from "./reviveRelays";
import { startSubscription } from "./subscribe";

/** Filters of one REQ at most, once merged (relays cap what one REQ may ask). */
const MAX_FILTERS_PER_REQ = 100;

interface Request {
  author: string;
  filters: ReturnType<typeof refreshFilters>;
  context: IngestContext;
  /** Ids already stored: verified then, and skipping them never applies anything (a forgery reusing one included). */
  stored: Set<string>;
  pending: Array<Promise<ListEntry | undefined>>;
  settled: boolean;
  /** Set while its batch runs: a batch whose requests were all cancelled stops at once. */
  onSettled?: () => void;
  resolve(entries: ListEntry[]): void;
  reject(error: unknown): void;
}

export interface FetchRequest {
  pubkey: Hexpubkey;
  kinds: number[];
  /** The lists already stored: a refresh asks only for newer ones, and skips any it finds again. */
  known?: Array<Pick<ListEntry, "key" | "id" | "createdAt">>;
}

export interface FetchBatcherDeps {
  ndk: NDK;
  /** Keeps the REQs in flight under a relay's per-connection limit. */
  gate: Gate;
  fetchMs: number;
  ingestContext(pubkey: Hexpubkey, kinds: readonly number[]): IngestContext;
}

/** Requests in order, cut into REQs of at most MAX_FILTERS_PER_REQ merged filters. */
function batches(requests: Request[]): Request[][] {
  const result: Request[][] = [];
  let batch: Request[] = [];
  let keys = new Set<string>();
  for (const request of requests) {
    const added = request.filters.map(filterKey).filter((key) => !keys.has(key));
    if (batch.length > 0 && keys.size + new Set(added).size > MAX_FILTERS_PER_REQ) {
      result.push(batch);
      batch = [];
      keys = new Set();
    }
    batch.push(request);
    for (const key of request.filters.map(filterKey)) keys.add(key);
  }
  if (batch.length > 0) result.push(batch);
  return result;
}

/**
 * List fetches asked for in the same tick share one REQ: a login's fetch still leaves at once (a
 * microtask, no grouping delay), while a restore refreshing 50 sessions sends one or a few REQs. Each
 * REQ is closed on EOSE, bounded by `timeouts.fetchMs`, and goes through the fetch gate.
 */
export class FetchBatcher {
  private queue: Request[] = [];
  private flushScheduled = false;

  constructor(private readonly deps: FetchBatcherDeps) {}

  request({ pubkey, kinds, known = [] }: FetchRequest, signal: AbortSignal): Promise<ListEntry[]> {
    if (kinds.length === 0) return Promise.resolve([]);
    if (typeof globalThis.WebSocket !== "function") return Promise.reject(Object.assign(new NoWebSocketError(), { at: Date.now() }));
    return new Promise<ListEntry[]>((resolve, reject) => {
      const request: Request = {
        author: pubkey,
        filters: refreshFilters(pubkey, kinds, known),
        context: this.deps.ingestContext(pubkey, kinds),
        stored: new Set(known.map((entry) => entry.id)),
        pending: [],
        settled: false,
        resolve: (entries) => settle(() => resolve(entries)),
        reject: (error) => settle(() => reject(error)),
      };
      const abort = () => request.reject(failure("aborted", "The fetch was cancelled"));
      function settle(outcome: () => void) {
        if (request.settled) return;
        request.settled = true;
        signal.removeEventListener("abort", abort);
        outcome();
        request.onSettled?.();
      }
      signal.addEventListener("abort", abort, { once: true });
      this.queue.push(request);
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      for (const batch of batches(this.queue.splice(0)))
        void this.deps.gate.run(() => this.run(batch)).catch((error: unknown) => {
          // NDK threw while the REQ was being set up: the sessions hear it, none waits forever.
          const reason = failure("fetch-failed", `The lists could not be asked for (${(error as Error)?.name ?? "Error"})`);
          for (const request of batch) request.reject(reason);
        });
    });
  }

  private run(batch: Request[]): Promise<void> {
    const live = batch.filter((request) => !request.settled);
    if (live.length === 0) return Promise.resolve();
    const { ndk, fetchMs } = this.deps;
    reviveNeverConnectedRelays(ndk);
    const byAuthor = new Map<string, Request[]>();
    for (const request of live) byAuthor.set(request.author, [...(byAuthor.get(request.author) ?? []), request]);
    let subscription: NDKSubscription | undefined;
    return new Promise<void>((done) => {
      let finished = false;
      const finish = (outcome: (request: Request) => void) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        subscription?.stop();
        live.forEach(outcome);
        done();
      };
      // Everyone gave up (a logout, destroy()): no REQ or timer outlives them.
      for (const request of live) request.onSettled = () => live.every((r) => r.settled) && finish(() => {});
      const timer = setTimeout(() => {
        const error =
          ndk.pool.connectedRelays().length === 0
            ? failure("offline", "No relay is connected")
            : failure("relay-timeout", `No relay finished sending the lists within ${fetchMs} ms`);
        finish((request) => request.reject(error));
      }, fetchMs);
      subscription = startSubscription(ndk, mergeFilters(live.flatMap((request) => request.filters)), {
        closeOnEose: true,
        groupable: false, // never waits on NDK's grouping delay
        skipVerification: true, // ingest() verifies every event fully
        skipValidation: true,
        includeMuted: true,
        cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
        onEvent: (event: NDKEvent) => {
          for (const request of byAuthor.get(event.pubkey) ?? [])
            if (!request.stored.has(event.id)) request.pending.push(ingest(event.rawEvent() as NostrEvent, request.context));
        },
        onEose: () =>
          finish((request) =>
            Promise.all(request.pending).then(
              (entries) => request.resolve(Object.values(mergeEntries({}, entries.filter((e): e is ListEntry => !!e)))),
              request.reject,
            ),
          ),
      });
    });
  }
}
