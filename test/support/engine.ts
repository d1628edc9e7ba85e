import type NDK from "@nostr-dev-kit/ndk";
import type { NDKPrivateKeySigner } from "@nostr-dev-kit/ndk";
import { MemoryStorage, NDKSessionManager, type SessionManagerOptions } from "../../src";
import { eventually } from "./env";

/** A manager plus the bounded waits the engine tests share: `ready` is the lists, `signer` the signer region. */
export function managerFor(ndk: NDK, options: SessionManagerOptions = {}) {
  const manager = new NDKSessionManager(ndk, { timeouts: { fetchMs: 2000, signerMs: 2000 }, ...options });
  return {
    manager,
    ready: (pubkey: string, timeoutMs = 3000) =>
      eventually(() => manager.getSession(pubkey)?.status === "ready", timeoutMs, `session ${pubkey.slice(0, 8)} ready`),
    status: (pubkey: string) => manager.getSession(pubkey)?.status,
    signerState: (pubkey: string) => manager.getSession(pubkey)?.signerState,
    /** Until the session's signer region is in `state` (ready by default). */
    signer: (pubkey: string, state = "ready", timeoutMs = 3000) =>
      eventually(() => manager.getSession(pubkey)?.signerState === state, timeoutMs, `session ${pubkey.slice(0, 8)} signer ${state}`),
  };
}

/** The signer NDK signs with: the session's own signer object, its gate put on it in place. */
export function activeSigner(ndk: NDK) {
  return ndk.signer;
}

/**
 * What an earlier run of the app left in storage: `signers` logged in on `ndk` with `options`, each
 * ready, the first one active, saved by destroy() (which flushes the pending auto-save).
 */
export async function savedSessions(ndk: NDK, signers: NDKPrivateKeySigner[], options: SessionManagerOptions = {}): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const first = managerFor(ndk, { storage, ...options });
  for (const signer of signers) await first.manager.login(signer);
  for (const signer of signers) await first.ready(signer.pubkey);
  await first.manager.switchTo(signers[0]!.pubkey);
  await first.manager.destroy();
  return storage;
}
