import type { NDKFilter } from "@nostr-dev-kit/ndk";
import { mergeEntries, type EntryRef, type Hexpubkey, type ListEntry } from "../../machines";
import { failure } from "../errors";
import type { IngestContext } from "./ingest";
import { filterKey, refreshFilters } from "./refreshFilters";

export interface FetchRequest {
  pubkey: Hexpubkey;
  kinds: number[];
  /**
   * The lists already stored: a refresh asks only for newer ones, and skips any it finds again. A
   * function is called once, when the REQ is built (a later turn than the fetch's): work it does
   * (an integrity check) stays off the caller's turn and still shares the fetch's REQ.
   */
  known?: EntryRef[] | (() => EntryRef[]);
}

/** Filters of one REQ at most, once merged (relays cap what one REQ may ask). */
export const MAX_FILTERS_PER_REQ = 100;

/** One session's fetch while it waits for, then rides on, a REQ: what it asks, what it received. */
export class PendingFetch {
  readonly author: Hexpubkey;
  private asked: { filters: NDKFilter[]; stored: Set<string> } | undefined;
  private readonly received: Array<Promise<ListEntry | undefined>> = [];
  settled = false;
  /** Called once it settles (its REQ ends early when every request of it gave up). */
  onSettled?: () => void;

  private readonly stopListening: () => void;

  constructor(
    private readonly request: FetchRequest,
    readonly context: IngestContext,
    private readonly outcome: { resolve(entries: ListEntry[]): void; reject(error: unknown): void },
    signal: AbortSignal,
    /** The app's `refresh.tieWindowSec` (see refreshFilters). */
    private readonly tieWindowSec?: number,
  ) {
    this.author = request.pubkey;
    const abort = () => this.reject(failure("aborted", "The fetch was cancelled"));
    signal.addEventListener("abort", abort, { once: true });
    this.stopListening = () => signal.removeEventListener("abort", abort);
  }

  /** What it asks the relays: built when first needed, as its REQ is built. */
  get filters(): NDKFilter[] {
    return this.ask().filters;
  }

  /** Ids already stored: verified then, and skipping them never applies anything (a forgery reusing one included). */
  get stored(): Set<string> {
    return this.ask().stored;
  }

  private ask(): { filters: NDKFilter[]; stored: Set<string> } {
    if (this.asked) return this.asked;
    const { pubkey, kinds, known = [] } = this.request;
    const entries = typeof known === "function" ? known() : known;
    this.asked = { filters: refreshFilters(pubkey, kinds, entries, this.tieWindowSec), stored: new Set(entries.map((entry) => entry.id)) };
    return this.asked;
  }

  /** An event the relay sent for this request, being verified and parsed. */
  add(entry: Promise<ListEntry | undefined>): void {
    this.received.push(entry);
  }

  /** The relay is done (EOSE): resolves with the newest entry of each slot received. */
  complete(): void {
    Promise.all(this.received).then(
      (entries) => this.resolve(Object.values(mergeEntries({}, entries.filter((e): e is ListEntry => !!e)))),
      (error: unknown) => this.reject(error),
    );
  }

  resolve(entries: ListEntry[]): void {
    this.settle(() => this.outcome.resolve(entries));
  }

  reject(error: unknown): void {
    this.settle(() => this.outcome.reject(error));
  }

  private settle(outcome: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.stopListening();
    outcome();
    this.onSettled?.();
  }
}

/** The first requests of the queue that fit one REQ (MAX_FILTERS_PER_REQ merged filters); the rest wait. */
export function nextBatch(queue: readonly PendingFetch[]): PendingFetch[] {
  const batch: PendingFetch[] = [];
  const keys = new Set<string>();
  for (const request of queue) {
    const added = new Set(request.filters.map(filterKey).filter((key) => !keys.has(key)));
    if (batch.length > 0 && keys.size + added.size > MAX_FILTERS_PER_REQ) break;
    batch.push(request);
    for (const key of added) keys.add(key);
  }
  return batch;
}
