/** Restore figures (issue 3): 50 sessions with 1,000 follows each, from a saved state, on the relay. */
import { MemoryStorage, NDKSessionManager } from "../../src";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import { connectedNdk, disconnect, type Account } from "./fixtures";
import { now, waitFor } from "./measure";

export interface RestoreResult {
  /** restore() start → resolved, with every session's follows usable (no relay involved). */
  usable: number[];
  /** restore() start → every session refreshed from the relay (ready again). */
  refreshed: number[];
  bytesPerSession: number;
}

/** Saves the accounts' sessions once (keys included, as the peer stores them), then restores `runs` + `warmup` times. */
export async function restoreFigures(relay: LoopbackRelay, accounts: readonly Account[], runs: number, warmup: number): Promise<RestoreResult> {
  const storage = new MemoryStorage();
  const ndk = await connectedNdk([relay.url]);
  const saver = new NDKSessionManager(ndk, { storage, autoSave: false, unsafePersistPrivateKeys: true });
  for (const account of accounts) await saver.login(account.signer, { setActive: account === accounts[0] });
  const all = (manager: NDKSessionManager, status: string) =>
    accounts.every((a) => manager.getSession(a.pubkey)?.status === status && manager.getSession(a.pubkey)?.followSet?.size === a.follows);
  await waitFor(() => all(saver, "ready"), 20_000, "the sessions to save");
  await saver.persist();
  await saver.destroy();
  disconnect(ndk);
  const bytesPerSession = new TextEncoder().encode((await storage.getItem("state"))!).length / accounts.length;

  const result: RestoreResult = { usable: [], refreshed: [], bytesPerSession };
  for (let run = 0; run < warmup + runs; run++) {
    await waitFor(() => relay.connections() === 0, 3000, "earlier connections to close");
    const fresh = await connectedNdk([relay.url]);
    const manager = new NDKSessionManager(fresh, { storage, autoSave: false });
    const started = now();
    await manager.restore();
    const usable = now() - started;
    if (!accounts.every((a) => manager.getSession(a.pubkey)?.followSet?.size === a.follows)) throw new Error("bench: restore() resolved without the lists");
    await waitFor(() => all(manager, "ready"), 10_000, "every session to refresh");
    const refreshed = now() - started;
    if (run >= warmup) {
      result.usable.push(usable);
      result.refreshed.push(refreshed);
    }
    await manager.destroy();
    disconnect(fresh);
  }
  return result;
}
