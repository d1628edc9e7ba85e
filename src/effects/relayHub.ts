import type NDK from "@nostr-dev-kit/ndk";
import { NDKSubscriptionCacheUsage, type NDKEvent, type NDKFilter, type NDKSubscription } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import type { Hexpubkey, ListEntry } from "../../machines";
import type { IngestContext } from "./ingest";
import { ingest } from "./ingest";
import { MAX_AUTHORS_PER_FILTER } from "./refreshFilters";
import { startSubscription } from "./subscribe";

interface Watcher {
  kinds: ReadonlySet<number>;
  deliver(entry: ListEntry): void;
  /** Built once per session stay: the hot path (every live event) allocates nothing for it. */
  context: IngestContext;
}

/** Relay limit on the kinds of one filter (the nostr-relay default; strfry's is larger). */
const MAX_KINDS_PER_FILTER = 20;
const SEEN_LIMIT = 10_000;

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/**
 * One live subscription for the lists of every session, whatever their number: a single REQ per
 * relay with all authors, re-issued when sessions come and go. `limit: 0` asks only for events
 * published from now on; each session's own fetch covers the past.
 */
export class RelayHub {
  private readonly watchers = new Map<Hexpubkey, Watcher>();
  private subscription: NDKSubscription | undefined;
  private reissueScheduled = false;
  private stopped = false;
  /** Ids already delivered: a repeat (another relay, a re-issue) costs no second verification. */
  private readonly seen = new Set<string>();

  constructor(private readonly ndk: NDK) {}

  watch(pubkey: Hexpubkey, watcher: Watcher): () => void {
    this.watchers.set(pubkey, watcher);
    this.scheduleReissue();
    return () => {
      if (this.watchers.get(pubkey) !== watcher) return;
      this.watchers.delete(pubkey);
      this.scheduleReissue();
    };
  }

  /** The live subscriptions a session's updates arrive on (for the facade's `subscriptions`). */
  subscriptionsFor(pubkey: Hexpubkey): NDKSubscription[] {
    return this.subscription && this.watchers.has(pubkey) ? [this.subscription] : [];
  }

  stop(): void {
    this.stopped = true;
    this.watchers.clear();
    this.subscription?.stop();
    this.subscription = undefined;
  }

  private scheduleReissue(): void {
    if (this.reissueScheduled || this.stopped) return;
    this.reissueScheduled = true;
    // Logins and logouts of one tick share a single re-issue.
    queueMicrotask(() => {
      this.reissueScheduled = false;
      try {
        this.reissue();
      } catch {
        // NDK threw while subscribing: no live updates until the next change; the fetches say why.
      }
    });
  }

  private reissue(): void {
    if (this.stopped) return;
    const previous = this.subscription;
    this.subscription = undefined;
    // Without a WebSocket no relay can be reached: the sessions' fetches say so (NoWebSocketError).
    if (this.watchers.size > 0 && typeof globalThis.WebSocket === "function") {
      const kinds = [...new Set([...this.watchers.values()].flatMap((w) => [...w.kinds]))].sort((a, b) => a - b);
      const filters: NDKFilter[] = [];
      for (const authors of chunk([...this.watchers.keys()], MAX_AUTHORS_PER_FILTER))
        for (const kindSet of chunk(kinds, MAX_KINDS_PER_FILTER)) filters.push({ authors, kinds: kindSet, limit: 0 });
      this.subscription = startSubscription(this.ndk, filters, {
        closeOnEose: false,
        groupable: false,
        skipVerification: true, // verified by ingest(), fully
        skipValidation: true,
        includeMuted: true, // a muted author can still be one of our sessions
        cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
        onEvent: (event: NDKEvent) => void this.receive(event.rawEvent() as NostrEvent),
      });
    }
    // The new REQ goes out before the old CLOSE, so no update falls in between.
    previous?.stop();
  }

  private async receive(event: NostrEvent): Promise<void> {
    const watcher = this.watchers.get(event.pubkey);
    if (!watcher || this.seen.has(event.id)) return;
    const entry = await ingest(event, watcher.context);
    if (!entry || this.watchers.get(event.pubkey) !== watcher) return;
    if (this.seen.size >= SEEN_LIMIT) this.seen.clear();
    this.seen.add(event.id);
    watcher.deliver(entry);
  }
}
