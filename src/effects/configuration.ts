import { kindsOf, type FetchPlan, type Hexpubkey, type RetryPolicy } from "../../machines";

export interface EngineTimeouts {
  /** Longest wait for a signer call: `signer.user()`, a signature, a private mute list's decryption. */
  signerMs: number;
  /** Longest wait for a list fetch to reach EOSE (a list write's read of the newest version included). */
  fetchMs: number;
  /** Longest wait for relays to accept (OK) a list a write publishes. */
  publishMs: number;
  /**
   * Longest wait at a `bunker://` login for one of the remote signer's relays to connect. Only the
   * connection is timed: the bunker is asked nothing before it, so its user's approval never counts.
   */
  connectMs: number;
}

/** How refreshes ask for lists already stored. */
export interface RefreshOptions {
  /**
   * Off by default: every refresh asks from the stored list's own second, so a same-second rival
   * with a lower id is never missed (NIP-01 decides). Set, lists stored longer ago than this many
   * seconds are asked from the next second: the relays do not send them again (less bandwidth at
   * each restore), and an old same-second rival is missed.
   */
  tieWindowSec?: number;
}

export interface NdkWiringOptions {
  /** Keep `ndk.muteFilter` on the active session's mute list (default true). */
  setMuteFilter: boolean;
  /** Keep `ndk.relayConnectionFilter` on the active session's blocked relays (default true). */
  setRelayConnectionFilter: boolean;
}

export const DEFAULT_PLAN: FetchPlan = {
  profile: true,
  follows: true,
  mutes: true,
  blockedRelays: true,
  relayList: true,
  wallet: false,
  kinds: [],
};

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };
export const DEFAULT_TIMEOUTS: EngineTimeouts = { signerMs: 10_000, fetchMs: 5_000, publishMs: 5_000, connectMs: 10_000 };

/**
 * What the app's code configures: which lists to fetch, timeouts, the retry policy. It lives here,
 * beside the effects that use it, and never in a snapshot, so a restore runs on the options of the
 * manager that restores. `monitor.add` and `session.start` change it at run time (through the
 * manager's `configure` action); it is gone with the process, as the app's code is.
 */
export class Configuration {
  /** Kinds the app added to a session at run time (addMonitor). */
  private readonly monitored = new Map<Hexpubkey, Set<number>>();
  private readonly plans = new Map<Hexpubkey, FetchPlan>();

  constructor(
    readonly plan: FetchPlan,
    readonly retry: RetryPolicy,
    readonly timeouts: EngineTimeouts,
    readonly wiring: NdkWiringOptions,
    readonly refresh: RefreshOptions = {},
  ) {}

  /** The kinds a session fetches and follows: its plan (the app's, or its own), the wallet if the user enabled it, its monitored kinds. */
  kindsFor(pubkey: Hexpubkey, walletEnabled: boolean | undefined): number[] {
    const kinds = kindsOf(this.plans.get(pubkey) ?? this.plan, walletEnabled);
    const monitored = this.monitored.get(pubkey);
    if (!monitored) return kinds;
    return [...new Set([...kinds, ...monitored])].sort((a, b) => a - b);
  }

  configure(change: { pubkey: Hexpubkey; kinds?: number[]; plan?: FetchPlan }): void {
    if (change.kinds?.length) this.monitored.set(change.pubkey, new Set([...(this.monitored.get(change.pubkey) ?? []), ...change.kinds]));
    if (change.plan) this.plans.set(change.pubkey, change.plan);
  }

  forget(pubkey: Hexpubkey): void {
    this.plans.delete(pubkey);
    this.monitored.delete(pubkey);
  }
}
