import { NDKSubscriptionCacheUsage, type NDKEvent, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import { mergeEntries, type ListEntry, type ListsInput } from "../../machines";
import { failure } from "../errors";
import { refreshFilters } from "./refreshFilters";
import { ingest, type IngestContext } from "./ingest";
import type { EngineRuntime } from "./runtime";
import { ingestContextFor } from "./signers";
import { reviveNeverConnectedRelays } from "./reviveRelays";
import { startSubscription } from "./subscribe";

/** Sessions served by one REQ at most (each adds a few filters; relays cap filters per REQ). */
const MAX_PER_REQ = 20;

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

/**
 * List fetches asked for in the same tick share one REQ: a login's fetch still leaves at once (a
 * microtask, no grouping delay), while a restore refreshing 50 sessions sends 3 REQs, not 50. Each
 * REQ is closed on EOSE, bounded by `timeouts.fetchMs`, and goes through the fetch gate.
 */
export class FetchBatcher {
  private queue: Request[] = [];
  private flushScheduled = false;

  /** The runtime is read lazily: the batcher is part of it. */
  constructor(private readonly runtimeOf: () => EngineRuntime) {}

  private get runtime(): EngineRuntime {
    return this.runtimeOf();
  }

  request({ pubkey, kinds, known = [] }: ListsInput, signal: AbortSignal): Promise<ListEntry[]> {
    if (kinds.length === 0) return Promise.resolve([]);
    return new Promise<ListEntry[]>((resolve, reject) => {
      const request: Request = {
        author: pubkey,
        filters: refreshFilters(pubkey, kinds, known),
        context: ingestContextFor(this.runtime, pubkey, kinds),
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
      const queued = this.queue.splice(0);
      for (let i = 0; i < queued.length; i += MAX_PER_REQ) {
        const batch = queued.slice(i, i + MAX_PER_REQ);
        void this.runtime.fetchGate.run(() => this.run(batch)).catch(() => {});
      }
    });
  }

  private run(batch: Request[]): Promise<void> {
    const live = batch.filter((request) => !request.settled);
    if (live.length === 0) return Promise.resolve();
    const { ndk, timeouts } = this.runtime;
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
            : failure("relay-timeout", `No relay finished sending the lists within ${timeouts.fetchMs} ms`);
        finish((request) => request.reject(error));
      }, timeouts.fetchMs);
      subscription = startSubscription(ndk, live.flatMap((request) => request.filters), {
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
