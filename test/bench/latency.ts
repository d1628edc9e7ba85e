/** Figures 1, 2, 3 and 5: login latency, 20 sequential logins (+ open relay subscriptions), switchTo. */
import { NDKSubscriptionCacheUsage, type NDKSubscription } from "@nostr-dev-kit/ndk";
import { NDKSessionManager } from "../../src";
import type { ReceivedFrame, RelayThread } from "./relayThread";
import { connectedNdk, disconnect, type Account, type NDK } from "./fixtures";
import { now, sleep, waitFor } from "./measure";

/** The kinds the manager fetches by default (profile, follows, mutes, blocked relays, relay list). */
export const LIST_KINDS = [0, 3, 10000, 10002, 10006];

/** A fresh NDK with no connection but its own left on the relay, and a fresh manager on it. */
export async function freshManager(relay: RelayThread): Promise<{ ndk: NDK; manager: NDKSessionManager; done(): void }> {
  await relay.idle();
  const ndk = await connectedNdk([relay.url]);
  const manager = new NDKSessionManager(ndk);
  return {
    ndk,
    manager,
    done() {
      manager.destroy();
      disconnect(ndk);
    },
  };
}

/** REQ → EOSE of the login's filter with a bare subscription; resolves with the elapsed ms. */
function bareRoundTrip(ndk: NDK, pubkey: string, skipVerification: boolean, expected: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let events = 0;
    let sub: NDKSubscription | undefined;
    const timer = setTimeout(() => {
      sub?.stop();
      reject(new Error("bench: bare REQ got no EOSE within 5 s"));
    }, 5000);
    const started = now();
    sub = ndk.subscribe([{ authors: [pubkey], kinds: LIST_KINDS }], {
      closeOnEose: true,
      groupable: false,
      skipVerification,
      includeMuted: true, // the manager's mute filter is on this NDK, and the mute list carries its own muted `t` tag
      cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
      onEvent: () => void events++,
      onEose: () => {
        const elapsed = now() - started;
        clearTimeout(timer);
        sub?.stop();
        if (events === expected) resolve(elapsed);
        else reject(new Error(`bench: bare REQ got ${events} events, expected ${expected}`));
      },
    });
  });
}

export interface LoginFollowsResult {
  login: number[];
  /** From login start until the relay handled the fetch's REQ. */
  toReq: number[];
  bareVerified: number[];
  bareUnverified: number[];
}

/** Figure 1: one fresh account per run; the first `warmup` runs are not counted. */
export async function loginFollows(relay: RelayThread, accounts: readonly Account[], warmup: number): Promise<LoginFollowsResult> {
  const result: LoginFollowsResult = { login: [], toReq: [], bareVerified: [], bareUnverified: [] };
  for (const [index, account] of accounts.entries()) {
    const { ndk, manager, done } = await freshManager(relay);
    try {
      const firstFrame = (await relay.stats()).frames;
      const started = now();
      await manager.login(account.signer);
      await waitFor(() => manager.getSession(account.pubkey)?.followSet?.size === account.follows, 5000, "the follow set");
      const login = now() - started;
      const fetchReq = (await relay.frames(firstFrame)).find((f) => f.type === "REQ" && f.fetchesFollows);
      // Unverified first: NDK's verified-signature cache would otherwise let the second one skip its checks.
      const bareUnverified = await bareRoundTrip(ndk, account.pubkey, true, 4);
      const bareVerified = await bareRoundTrip(ndk, account.pubkey, false, 4);
      if (index < warmup) continue;
      result.login.push(login);
      result.toReq.push(fetchReq ? fetchReq.at - started : Number.NaN);
      result.bareUnverified.push(bareUnverified);
      result.bareVerified.push(bareVerified);
    } finally {
      done();
    }
  }
  return result;
}

export interface SequentialResult {
  ms: number[];
  /** Relay subscriptions held for the manager's connection the moment the last session is ready. */
  openAtReady: number[];
  /** The same, 100 ms later. */
  openSettled: number[];
  reqs: number[];
  /** What the relay still held at the ready instant, per run: "live" = `limit: 0` REQs, "fetch" = the others. */
  heldAtReady: string[];
}

/** The subscriptions the relay holds after these frames, split into live (`limit: 0`) and fetch REQs. */
function heldAfter(frames: readonly ReceivedFrame[]): string {
  const open = new Map<string, boolean>();
  for (const frame of frames) {
    if (frame.type === "REQ" && frame.subscriptionId) open.set(frame.subscriptionId, frame.live ?? false);
    else if (frame.type === "CLOSE" && frame.subscriptionId) open.delete(frame.subscriptionId);
  }
  const live = [...open.values()].filter(Boolean).length;
  return `${live} live + ${open.size - live} fetch`;
}

/** Figures 2 and 5: each run a fresh manager logs the accounts in one after another. */
export async function sequentialLogins(relay: RelayThread, accounts: readonly Account[], runs: number, warmup: number): Promise<SequentialResult> {
  const result: SequentialResult = { ms: [], openAtReady: [], openSettled: [], reqs: [], heldAtReady: [] };
  for (let run = 0; run < warmup + runs; run++) {
    const { manager, done } = await freshManager(relay);
    try {
      const before = await relay.stats();
      const heldByBench = before.openSubscriptions; // nothing else is connected; normally 0
      const firstFrame = before.frames;
      const started = now();
      for (const account of accounts) {
        await manager.login(account.signer);
        await waitFor(() => manager.getSession(account.pubkey)?.status === "ready", 5000, "a session to be ready");
      }
      const allReady = () => accounts.every((a) => manager.getSession(a.pubkey)?.status === "ready");
      await waitFor(allReady, 5000, "all sessions to be ready");
      const ms = now() - started;
      // Asked of the relay thread right after the clock stopped: a round trip later than "ready".
      const openAtReady = (await relay.stats()).openSubscriptions - heldByBench;
      const frames = await relay.frames(firstFrame);
      const heldAtReady = heldAfter(frames);
      await sleep(100);
      const openSettled = (await relay.stats()).openSubscriptions - heldByBench;
      if (run < warmup) continue;
      result.ms.push(ms);
      result.openAtReady.push(openAtReady);
      result.openSettled.push(openSettled);
      result.heldAtReady.push(heldAtReady);
      result.reqs.push(frames.filter((f) => f.type === "REQ").length);
    } finally {
      done();
    }
  }
  return result;
}

export interface SwitchResult {
  bare: number[];
  withListener: number[];
  notifications: number;
}

/** Figure 3: mean µs of `await switchTo()` over `perBatch` alternating switches, per batch. */
export async function switching(relay: RelayThread, a: Account, b: Account, batches: number, perBatch: number): Promise<SwitchResult> {
  const { manager, done } = await freshManager(relay);
  try {
    await manager.login(a.signer);
    await manager.login(b.signer);
    const ready = (account: Account) => manager.getSession(account.pubkey)?.status === "ready";
    await waitFor(() => ready(a) && ready(b), 5000, "both sessions to be ready");
    const loop = async (count: number) => {
      for (let i = 0; i < count; i++) await manager.switchTo(i & 1 ? a.pubkey : b.pubkey);
    };
    const measure = async () => {
      await loop(2000); // warm-up
      const means: number[] = [];
      for (let batch = 0; batch < batches; batch++) {
        const started = now();
        await loop(perBatch);
        means.push(((now() - started) * 1000) / perBatch);
        await sleep(0); // let NDK's deferred work run between batches, outside the clock
      }
      return means;
    };
    const bare = await measure();
    let notifications = 0;
    let seen: string | undefined;
    const unsubscribe = manager.subscribe((state) => {
      notifications++;
      seen = state.activePubkey;
    });
    const withListener = await measure();
    unsubscribe();
    if (notifications === 0 || !seen) throw new Error("bench: the subscribe() listener was never called");
    return { bare, withListener, notifications };
  } finally {
    done();
  }
}
