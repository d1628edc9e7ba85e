import type NDK from "@nostr-dev-kit/ndk";
import { NDKSessionManager, type SessionManagerOptions } from "../../src";
import { SessionSigner } from "../../src/effects/sessionSigner";
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

/** The signer NDK signs with, unwrapped from the session's call gate (`ndk.signer` is the gate). */
export function activeSigner(ndk: NDK) {
  const signer = ndk.signer;
  return signer instanceof SessionSigner ? signer.inner : signer;
}
