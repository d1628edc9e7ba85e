import type NDK from "@nostr-dev-kit/ndk";
import { NDKSubscriptionCacheUsage, type NDKFilter, type NDKRelay, type NDKSubscription } from "@nostr-dev-kit/ndk";
import { mergeFilters } from "./refreshFilters";
import { dialRelay } from "./reviveRelays";
import { subscribeOn } from "./subscribe";

/** How a relay that comes back is caught up with, and how long one that NDK gave up on waits. */
export interface ResyncPolicy {
  /** A catch-up asks from the last time the relay was in sync minus this, for clocks that differ. */
  marginSec: number;
  /** A relay's second catch-up within `windowMs` waits this long, each further one twice as long. */
  resyncBaseMs: number;
  resyncMaxMs: number;
  windowMs: number;
  /** The first reconnect of a relay dropped once within `windowMs`; doubled with each attempt and each recent drop. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_RESYNC: ResyncPolicy = {
  marginSec: 60,
  resyncBaseMs: 1_000,
  resyncMaxMs: 30_000,
  windowMs: 60_000,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 30_000,
};

interface CatchUp {
  subscription: NDKSubscription;
  eosed: boolean;
  /** The hub's own REQ reaches the relay again: this one ends with its stored events. */
  closeAtEose: boolean;
}

interface RelayState {
  readonly relay: NDKRelay;
  readonly listeners: Array<[event: "connect" | "disconnect" | "delayed-connect" | "flapping", listener: () => void]>;
  /** Seen connected: a later connection is a comeback (the first one is NDK's, whose pool monitor sends the hub's REQ there). */
  up: boolean;
  /** Wall time from which the relay carried the live subscription without a gap: a catch-up asks from here. */
  syncedFrom: number;
  /** Dropped since: its next connection asks for what it missed. */
  behind: boolean;
  /** The hub's REQ generation when it dropped: a later REQ reaches it on its own (NDK's pool monitor). */
  droppedIn: number;
  catchUp?: CatchUp;
  resyncTimer?: ReturnType<typeof setTimeout>;
  resyncs: number[];
  /** NDK planned a reconnect (it may give up after one failed try): we see it through. */
  lost: boolean;
  attempt: number;
  drops: number[];
  reconnectTimer?: ReturnType<typeof setTimeout>;
}

const recent = (times: number[], windowMs: number, now: number) => times.filter((t) => now - t < windowMs);
const backoff = (base: number, max: number, exponent: number) => Math.min(base * 2 ** exponent, max);

/**
 * NDK 3.0.3 reconnects a dropped relay but never sends an open subscription's REQ again, and after
 * one failed attempt it stops trying. For every relay that comes back, this sends one REQ: the
 * hub's live filters `since` the relay was last in sync (minus a margin), so what was published
 * meanwhile arrives and the relay is live again. That REQ carries the relay's live updates until
 * the hub's next REQ does. Repeated comebacks are coalesced with a backoff, and a relay NDK gave up
 * on is reconnected on a bounded backoff. Events reach the sessions through the hub's subscription:
 * NDK hands each event to every subscription whose filters match it, and the hub's match all of
 * these, so this REQ needs no handler of its own (and nothing is handled twice).
 *
 * It listens on each relay, not on the pool: with tseep 1.3.1, removing a listener an event does
 * not have, while it has exactly one, silences that one. NDK does so on every subscription's close
 * ("ready") and every publish ("connect"), so the pool's `relay:ready` and `relay:connect` stop for
 * that relay. A second listener (ours) keeps each event working, NDK's own pool monitor included.
 */
export class RelayResync {
  private readonly relays = new Map<string, RelayState>();
  private generation = 0;
  private stopped = false;
  private readonly onAdded = (relay: NDKRelay) => void this.track(relay);

  constructor(
    private readonly ndk: NDK,
    /** The hub's live filters (`limit: 0`) for every session it watches now. */
    private readonly liveFilters: () => NDKFilter[],
    private readonly policy: ResyncPolicy = DEFAULT_RESYNC,
  ) {
    // Every relay of the pool; one already up is in sync from now on (the sessions fetch after this).
    this.discover();
    ndk.pool.on("relay:connecting", this.onAdded); // the pool's own event (a relay added, or asked to connect)
  }

  /** The hub sent a new REQ (or closed its last): it reaches every connected relay, so the catch-ups that carried one are done. */
  renewed(): void {
    this.generation++;
    this.discover();
    for (const state of this.relays.values()) {
      const catchUp = state.catchUp;
      if (!catchUp) continue;
      if (catchUp.eosed) this.endCatchUp(state);
      else catchUp.closeAtEose = true;
    }
  }

  stop(): void {
    this.stopped = true;
    this.ndk.pool.off("relay:connecting", this.onAdded);
    for (const state of this.relays.values()) this.forget(state);
    this.relays.clear();
  }

  private discover(): void {
    for (const state of this.relays.values()) if (!this.inPool(state.relay)) this.forget(state);
    for (const relay of this.ndk.pool.relays.values()) this.track(relay);
  }

  private inPool(relay: NDKRelay): boolean {
    return this.ndk.pool.relays.get(relay.url) === relay;
  }

  private track(relay: NDKRelay): RelayState | undefined {
    if (this.stopped) return undefined;
    const known = this.relays.get(relay.url);
    if (known?.relay === relay) return known;
    if (known) this.forget(known);
    const planned = () => this.planned(state);
    const state: RelayState = {
      relay,
      // NDK announces every reconnect it plans (after a drop, a stale socket, a wake), never one after a disconnect() asked for.
      listeners: [["connect", () => this.connected(state)], ["disconnect", () => this.dropped(state)], ["delayed-connect", planned], ["flapping", planned]],
      up: relay.connected,
      syncedFrom: Date.now(),
      behind: false,
      droppedIn: 0,
      resyncs: [],
      lost: false,
      attempt: 0,
      drops: [],
    };
    for (const [event, listener] of state.listeners) relay.on(event, listener);
    this.relays.set(relay.url, state);
    return state;
  }

  private forget(state: RelayState): void {
    for (const [event, listener] of state.listeners) state.relay.off(event, listener);
    clearTimeout(state.resyncTimer);
    clearTimeout(state.reconnectTimer);
    this.endCatchUp(state);
    this.relays.delete(state.relay.url);
  }

  private connected(state: RelayState): void {
    state.lost = false;
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = undefined;
    if (!state.up) {
      // Its first connection is NDK's: its pool monitor sends the hub's REQ there.
      state.up = true;
      state.syncedFrom = Date.now();
    } else if (state.behind) this.scheduleResync(state);
  }

  private dropped(state: RelayState): void {
    const { relay } = state;
    if (!this.inPool(relay)) return this.forget(state); // removed from the pool
    if (!state.up) return; // a first connection that failed: reviveNeverConnectedRelays asks again
    if (!state.behind) {
      state.behind = true;
      state.droppedIn = this.generation;
    }
    // Its REQs died with the socket (NDK never sends them again).
    this.endCatchUp(state);
    if (state.lost) this.scheduleReconnect(state);
  }

  /** NDK means to reconnect (or flagged the relay as flapping and waits 10 s or more). */
  private planned(state: RelayState): void {
    if (this.stopped) return;
    if (!state.lost) {
      const now = Date.now();
      state.drops = recent(state.drops, this.policy.windowMs, now);
      state.attempt = state.drops.length; // a relay that keeps dropping waits longer each time
      state.drops.push(now);
      state.lost = true;
    }
    this.scheduleReconnect(state);
  }

  private scheduleReconnect(state: RelayState): void {
    if (this.stopped || state.reconnectTimer || !state.lost) return;
    const { reconnectBaseMs, reconnectMaxMs } = this.policy;
    const delay = backoff(reconnectBaseMs, reconnectMaxMs, state.attempt) * (1 + Math.random() * 0.2);
    state.reconnectTimer = setTimeout(() => this.reconnect(state), delay);
  }

  /** Connects the relay if nothing else does: NDK dropped it for good after a failed try, or would wait longer. */
  private reconnect(state: RelayState): void {
    state.reconnectTimer = undefined;
    if (this.stopped || !state.lost) return;
    const { relay } = state;
    if (!this.inPool(relay)) return this.forget(state);
    const { relayConnectionFilter } = this.ndk;
    if (relayConnectionFilter && !relayConnectionFilter(relay.url)) return; // blocked since: left alone
    state.attempt++;
    dialRelay(relay);
    this.scheduleReconnect(state); // until it connects
  }

  private scheduleResync(state: RelayState): void {
    if (this.stopped || state.resyncTimer) return; // coalesced into the pending one
    const { resyncBaseMs, resyncMaxMs, windowMs } = this.policy;
    state.resyncs = recent(state.resyncs, windowMs, Date.now());
    if (state.resyncs.length === 0) return this.resync(state);
    const delay = backoff(resyncBaseMs, resyncMaxMs, state.resyncs.length - 1);
    state.resyncTimer = setTimeout(() => this.resync(state), delay);
  }

  /** One REQ on the relay: every watched session's lists since it was last in sync, then live. */
  private resync(state: RelayState): void {
    state.resyncTimer = undefined;
    const { relay } = state;
    if (this.stopped || !relay.connected) return; // its next connection asks again
    const now = Date.now();
    const live = this.liveFilters();
    state.behind = false;
    if (live.length === 0) {
      state.syncedFrom = now; // no session watches: the next ones fetch what they need
      return;
    }
    state.resyncs.push(now);
    const since = Math.floor(state.syncedFrom / 1000) - this.policy.marginSec;
    // Split as a fetch's filters are, so that no relay cuts an answer short at its own limit.
    const filters = mergeFilters(live.map(({ limit: _, ...filter }) => ({ ...filter, since })));
    // A REQ of the hub's sent after the drop reaches the relay on its own: this one need not stay.
    const closeAtEose = this.generation > state.droppedIn;
    this.endCatchUp(state);
    try {
      state.catchUp = this.catchUp(state, filters, closeAtEose, now);
    } catch {
      state.behind = true; // NDK refused the REQ (it runs inside NDK's connect event, which must not throw): the next connection asks again
    }
  }

  private catchUp(state: RelayState, filters: NDKFilter[], closeAtEose: boolean, sentAt: number): CatchUp {
    const catchUp: CatchUp = {
      eosed: false,
      closeAtEose,
      subscription: subscribeOn(this.ndk, state.relay, filters, {
        closeOnEose: false,
        skipVerification: true, // NDK hands the events to the hub's subscription, whose ingest verifies them
        skipValidation: true,
        includeMuted: true,
        exclusiveRelay: true, // NDK hands it only this relay's events
        cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
        dontSaveToCache: true,
        onEose: () => {
          if (state.catchUp !== catchUp) return;
          catchUp.eosed = true;
          state.syncedFrom = Math.max(state.syncedFrom, sentAt);
          if (catchUp.closeAtEose) this.endCatchUp(state);
        },
      }),
    };
    return catchUp;
  }

  private endCatchUp(state: RelayState): void {
    const catchUp = state.catchUp;
    state.catchUp = undefined;
    catchUp?.subscription.stop();
  }
}
