/**
 * Restore figures (issues 3 and 9): 50 sessions with 1,000 follows each, from a saved state, on the
 * relay; their keys kept as the app chose: plain (unsafe, as the peer stores them), sealed with an
 * AES-GCM key, or not at all (the sessions read, and ask for a login to sign).
 */
import { MemoryStorage, NDKSessionManager, type SessionManagerOptions } from "../../src";
import { generateSealingKey } from "../../src/secrets/aesGcm";
import type { RelayThread } from "./relayThread";
import { connectedNdk, disconnect, type Account } from "./fixtures";
import { getGc, now, waitFor } from "./measure";

export interface RestoreResult {
  /** restore() start → resolved, with every session's follows usable (no relay involved). */
  usable: number[];
  /** restore() start → every session refreshed from the relay (ready again). */
  refreshed: number[];
  bytesPerSession: number;
}

export type KeysAtRest = "unsafe" | "sealed" | "none";

/** Saves the accounts' sessions once, then restores `runs` + `warmup` times; "refreshed" also waits for signing where keys were kept. */
export async function restoreFigures(relay: RelayThread, accounts: readonly Account[], runs: number, warmup: number, keys: KeysAtRest = "unsafe"): Promise<RestoreResult> {
  const storage = new MemoryStorage();
  const ndk = await connectedNdk([relay.url]);
  const options: SessionManagerOptions =
    keys === "unsafe" ? { unsafePersistPrivateKeys: true } : keys === "sealed" ? { secrets: { key: await generateSealingKey() } } : {};
  const saver = new NDKSessionManager(ndk, { storage, autoSave: false, ...options });
  for (const account of accounts) await saver.login(account.signer, { setActive: account === accounts[0] });
  const signs = keys !== "none";
  const all = (manager: NDKSessionManager) =>
    accounts.every((a) => {
      const session = manager.getSession(a.pubkey);
      return session?.status === "ready" && session.followSet?.size === a.follows && session.canSign === signs;
    });
  await waitFor(() => all(saver) || (!signs && accounts.every((a) => saver.getSession(a.pubkey)?.status === "ready")), 20_000, "the sessions to save");
  await saver.persist();
  await saver.destroy();
  disconnect(ndk);
  const bytesPerSession = new TextEncoder().encode((await storage.getItem("state"))!).length / accounts.length;

  const result: RestoreResult = { usable: [], refreshed: [], bytesPerSession };
  const { gc } = getGc();
  for (let run = 0; run < warmup + runs; run++) {
    await relay.idle();
    // An app restores at start-up: the previous run's 50 destroyed sessions are not its garbage to collect.
    gc();
    const fresh = await connectedNdk([relay.url]);
    const manager = new NDKSessionManager(fresh, { storage, autoSave: false, ...options });
    const started = now();
    await manager.restore();
    const usable = now() - started;
    if (!accounts.every((a) => manager.getSession(a.pubkey)?.followSet?.size === a.follows)) throw new Error("bench: restore() resolved without the lists");
    await waitFor(() => all(manager), 10_000, "every session to refresh");
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
