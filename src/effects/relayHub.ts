import type NDK from "@nostr-dev-kit/ndk";
import { NDKSubscriptionCacheUsage, type NDKEvent, type NDKFilter, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import type { Hexpubkey, ListEntry } from "../../machines";
import { failure, NoWebSocketError } from "../errors";
import { nextBatch, PendingFetch, type FetchRequest } from "./fetchRequests";
import { ingest, type IngestContext } from "./ingest";
import { MAX_AUTHORS_PER_FILTER, mergeFilters } from "./refreshFilters";
import { RelayResync } from "./relayResync";
import { reviveNeverConnectedRelays } from "./reviveRelays";
import { startSubscription } from "./subscribe";
import { nextTurn, type TurnHandle } from "./nextTurn";

export interface Watcher {
  kinds: ReadonlySet<number>;
  deliver(entry: ListEntry): void;
  /** Built once per session stay: the hot path (every live event) allocates nothing for it. */
  context: IngestContext;
}

export interface RelayHubDeps {
  ndk: NDK;
  /** Longest wait for a REQ's stored events (EOSE). */
  fetchMs: number;
  /** The app's `refresh.tieWindowSec` (see refreshFilters). */
  tieWindowSec?: number;
  ingestContext(pubkey: Hexpubkey, kinds: readonly number[]): IngestContext;
}

/** Relay limit on the kinds of one filter (the nostr-relay default; strfry's is larger). */
const MAX_KINDS_PER_FILTER = 20;
const SEEN_LIMIT = 10_000;

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/** The REQ whose stored events some fetches wait for: they end at its EOSE, or at the deadline. */
interface Batch {
  /** Names it in its REQ's EOSE callback, which lives as long as the subscription: the batch itself must not. */
  id: number;
  byAuthor: Map<Hexpubkey, PendingFetch[]>;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Every session's lists through ONE subscription per relay, whatever their number: each REQ asks
 * for the lists of the sessions that fetch (their stored events, up to EOSE) and, with `limit: 0`,
 * for what every watched session publishes from now on; it stays open as the live subscription
 * until the next one replaces it (its REQ out before the old CLOSE, so nothing falls between).
 * A fetch leaves in the next turn of the event loop (no timer, no grouping delay); fetches asked
 * while a REQ waits for its EOSE share the next one, so a burst of logins costs about two REQs, not
 * one each. Each list is handed to its session as soon as it is verified, not at EOSE. A relay that drops and comes back
 * is caught up and made live again by RelayResync (NDK never sends a REQ again after a reconnect).
 */
export class RelayHub {
  private readonly watchers = new Map<Hexpubkey, Watcher>();
  private queue: PendingFetch[] = [];
  private batch: Batch | undefined;
  private subscription: NDKSubscription | undefined;
  private flushTurn: TurnHandle | undefined;
  /** Lists to check after the first of a task (see inTurn). */
  private jobs: Array<() => void> = [];
  private jobTurn: TurnHandle | undefined;
  private ranInTask = false;
  private batches = 0;
  /** Sessions came or went since the last REQ: the next one must say so. */
  private watchersChanged = false;
  private stopped = false;
  /** Ids already delivered: a repeat (another relay, a re-issue) costs no second verification. */
  private readonly seen = new Set<string>();
  /** Each relay that comes back gets the live filters again, `since` it was last in sync. */
  private readonly resync: RelayResync;

  constructor(private readonly deps: RelayHubDeps) {
    this.resync = new RelayResync(deps.ndk, () => this.liveFilters());
  }

  watch(pubkey: Hexpubkey, watcher: Watcher): () => void {
    this.watchers.set(pubkey, watcher);
    this.watchersChanged = true;
    this.scheduleFlush();
    return () => {
      if (this.watchers.get(pubkey) !== watcher) return;
      this.watchers.delete(pubkey);
      this.watchersChanged = true;
      this.scheduleFlush();
    };
  }

  /** A session's lists: verified, parsed, the newest entry of each slot, once the relays sent what they hold. */
  fetch(request: FetchRequest, signal: AbortSignal): Promise<ListEntry[]> {
    if (request.kinds.length === 0) return Promise.resolve([]);
    if (typeof globalThis.WebSocket !== "function") return Promise.reject(Object.assign(new NoWebSocketError(), { at: Date.now() }));
    if (signal.aborted) return Promise.reject(failure("aborted", "The fetch was cancelled"));
    return new Promise<ListEntry[]>((resolve, reject) => {
      this.queue.push(new PendingFetch(request, this.deps.ingestContext(request.pubkey, request.kinds), { resolve, reject }, signal, this.deps.tieWindowSec));
      this.scheduleFlush();
    });
  }

  /** The live subscriptions a session's updates arrive on (for the facade's `subscriptions`). */
  subscriptionsFor(pubkey: Hexpubkey): NDKSubscription[] {
    return this.subscription && this.watchers.has(pubkey) ? [this.subscription] : [];
  }

  stop(): void {
    this.stopped = true;
    this.flushTurn?.cancel();
    this.flushTurn = undefined;
    this.jobTurn?.cancel();
    this.jobTurn = undefined;
    this.jobs = [];
    if (this.batch) clearTimeout(this.batch.timer);
    this.batch = undefined;
    this.watchers.clear();
    this.subscription?.stop();
    this.subscription = undefined;
    this.resync.stop();
  }

  private scheduleFlush(): void {
    if (this.flushTurn || this.stopped) return;
    // Logins and logouts of one turn share a single REQ, sent once the turn is over (a restore's
    // state reaches the app first).
    this.flushTurn = nextTurn(() => this.flushNow());
  }

  private flushNow(): void {
    this.flushTurn?.cancel();
    this.flushTurn = undefined;
    try {
      this.flush();
    } catch (error) {
      // NDK threw while subscribing: the fetches hear it (they retry); no live updates until the next change.
      this.failBatch(failure("fetch-failed", `The lists could not be asked for (${(error as Error)?.name ?? "Error"})`));
    }
  }

  /** Sends the next REQ, unless one still waits for its stored events (the next goes at its EOSE). */
  private flush(): void {
    if (this.stopped || this.batch) return;
    this.queue = this.queue.filter((request) => !request.settled);
    const fetches = nextBatch(this.queue);
    if (fetches.length === 0 && !this.watchersChanged) return;
    this.queue = this.queue.slice(fetches.length);
    this.watchersChanged = false;
    const batchId = fetches.length > 0 ? this.openBatch(fetches).id : undefined;
    const previous = this.subscription;
    this.subscription = undefined;
    const filters = [...mergeFilters(fetches.flatMap((request) => request.filters)), ...this.liveFilters()];
    if (filters.length > 0) {
      reviveNeverConnectedRelays(this.deps.ndk);
      this.subscription = startSubscription(this.deps.ndk, filters, {
        closeOnEose: false,
        groupable: false, // never waits on NDK's grouping delay
        skipVerification: true, // ingest() verifies every event fully
        skipValidation: true,
        includeMuted: true, // a muted author can still be one of our sessions
        cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
        onEvent: (event: NDKEvent) => this.receive(event.rawEvent() as NostrEvent),
        onEose: () => batchId !== undefined && this.answered(batchId),
      });
    }
    // The new REQ goes out before the old CLOSE, so no update falls in between.
    previous?.stop();
    this.resync.renewed();
  }

  private liveFilters(): NDKFilter[] {
    if (this.watchers.size === 0) return [];
    const kinds = [...new Set([...this.watchers.values()].flatMap((w) => [...w.kinds]))].sort((a, b) => a - b);
    const filters: NDKFilter[] = [];
    for (const authors of chunk([...this.watchers.keys()], MAX_AUTHORS_PER_FILTER))
      for (const kindSet of chunk(kinds, MAX_KINDS_PER_FILTER)) filters.push({ authors, kinds: kindSet, limit: 0 });
    return filters;
  }

  private openBatch(fetches: PendingFetch[]): Batch {
    const byAuthor = new Map<Hexpubkey, PendingFetch[]>();
    for (const request of fetches) {
      const same = byAuthor.get(request.author);
      if (same) same.push(request);
      else byAuthor.set(request.author, [request]);
    }
    const timer = setTimeout(() => {
      const { ndk, fetchMs } = this.deps;
      this.failBatch(
        ndk.pool.connectedRelays().length === 0
          ? failure("offline", "No relay is connected")
          : failure("relay-timeout", `No relay finished sending the lists within ${fetchMs} ms`),
      );
    }, this.deps.fetchMs);
    const batch: Batch = { id: ++this.batches, byAuthor, timer };
    // Everyone gave up (a logout, destroy()): the next REQ need not wait for this one's EOSE.
    let open = fetches.length;
    for (const request of fetches) request.onSettled = () => --open === 0 && this.closeBatch(batch);
    this.batch = batch;
    return batch;
  }

  /**
   * The relay sent every stored event the batch asked for (EOSE): the next REQ may go at once; the
   * batch's fetches complete once what it received is checked, in turn (see inTurn).
   */
  private answered(batchId: number): void {
    const batch = this.batch;
    if (batch?.id !== batchId) return; // it failed or every fetch of it gave up meanwhile
    this.closeBatch(batch);
    this.inTurn(() => {
      for (const requests of batch.byAuthor.values()) for (const request of requests) request.complete();
    });
  }

  private failBatch(error: unknown): void {
    const batch = this.batch;
    if (!batch) return;
    for (const requests of batch.byAuthor.values()) for (const request of requests) request.reject(error);
    this.closeBatch(batch);
  }

  private closeBatch(batch: Batch): void {
    if (this.batch !== batch) return;
    clearTimeout(batch.timer);
    this.batch = undefined;
    if (this.queue.length > 0 || this.watchersChanged) this.scheduleFlush();
  }

  private receive(event: NostrEvent): void {
    const fetching = this.batch?.byAuthor.get(event.pubkey);
    if (fetching) {
      for (const request of fetching) {
        if (request.settled) continue;
        if (request.stored.has(event.id)) {
          this.remember(event.id); // stored, so verified once: a later repeat (a catch-up) is skipped as well
          continue;
        }
        this.inTurn(() => {
          if (request.settled) return;
          const entry = ingest(event, request.context);
          request.add(entry);
          // Handed to the session as soon as it is verified: its follows need not wait for a slower list.
          void entry.then((verified) => verified && this.deliver(event, verified));
        });
      }
      return;
    }
    const watcher = this.watchers.get(event.pubkey);
    if (!watcher || this.seen.has(event.id)) return;
    this.inTurn(() => void ingest(event, watcher.context).then((entry) => entry && this.deliver(event, entry, watcher)));
  }

  /**
   * Runs `job` now when nothing waits and no other job ran in this task, else with the others in
   * the next turn, in order. A relay's answer arrives in chunks of several events, all read in one
   * task: the first list of a chunk (the follow list, asked for first) reaches its session, and the
   * app can render it, before the rest of the chunk is checked. EOSE waits its turn behind them.
   */
  private inTurn(job: () => void): void {
    if (this.ranInTask || this.jobs.length > 0) {
      this.jobs.push(job);
      this.jobTurn ??= nextTurn(() => this.runJobs());
      return;
    }
    this.ranInTask = true;
    queueMicrotask(() => (this.ranInTask = false));
    job();
  }

  private runJobs(): void {
    this.jobTurn = undefined;
    // A REQ waiting for its turn leaves first: the relay answers it while these lists are checked.
    if (this.flushTurn) this.flushNow();
    const jobs = this.jobs;
    this.jobs = [];
    for (const job of jobs) job();
  }

  private deliver(event: NostrEvent, entry: ListEntry, expected?: Watcher): void {
    const watcher = this.watchers.get(event.pubkey);
    if (!watcher || (expected && watcher !== expected)) return;
    this.remember(event.id);
    watcher.deliver(entry);
  }

  private remember(id: string): void {
    if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
    this.seen.add(id);
  }
}
