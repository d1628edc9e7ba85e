/** Figure 4: retained V8 heap per logged-in session, measured after full collections. */
import type { RelayThread } from "./relayThread";
import type { Account } from "./fixtures";
import { freshManager } from "./latency";
import { settleHeap, waitFor } from "./measure";

export interface HeapResult {
  /** KiB per session, one value per counted run. */
  perSession: number[];
  /** The uncounted first run(s), for comparison. */
  warmup: number[];
}

/**
 * One run: a fresh NDK and manager, a collected baseline, all logins at once, every session
 * ready with its follows, collect again; (after − before) / sessions, in KiB.
 *
 * A function of its own on purpose: a suspended async frame keeps stale registers, so a loop body
 * awaiting inside one frame kept the previous run's manager reachable at the next baseline and let
 * it go during the measured window (the figure then came out near zero).
 */
async function measureOnce(relay: RelayThread, accounts: readonly Account[], gc: () => void): Promise<number> {
  const { manager, done } = await freshManager(relay);
  try {
    const before = await settleHeap(gc);
    await Promise.all(accounts.map((account) => manager.login(account.signer)));
    const ready = () => accounts.every((a) => manager.getSession(a.pubkey)?.status === "ready");
    await waitFor(ready, 20_000, "all sessions to be ready");
    for (const account of accounts) {
      const size = manager.getSession(account.pubkey)?.followSet?.size;
      if (size !== account.follows) throw new Error(`bench: a session has ${size} follows, expected ${account.follows}`);
    }
    const after = await settleHeap(gc);
    return (after - before) / 1024 / accounts.length;
  } finally {
    done();
  }
}

/**
 * The events were signed and published earlier by another NDK that is gone, so they are in
 * neither the baseline nor the figure. Included: session actors and lists, the read model's views,
 * and NDK's share (subscriptions, users). The relay runs on a thread of its own, with a heap of its
 * own: its share is not counted.
 */
export async function heapPerSession(
  relay: RelayThread,
  accounts: readonly Account[],
  runs: number,
  warmup: number,
  gc: () => void,
): Promise<HeapResult> {
  const result: HeapResult = { perSession: [], warmup: [] };
  for (let run = 0; run < warmup + runs; run++) {
    const kib = await measureOnce(relay, accounts, gc);
    (run < warmup ? result.warmup : result.perSession).push(kib);
  }
  return result;
}
