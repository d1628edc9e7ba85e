import type NDK from "@nostr-dev-kit/ndk";
import { NDKSessionManager, type SessionManagerOptions } from "../../src";
import { eventually } from "./env";

/** A manager plus the bounded waits the engine tests share. */
export function managerFor(ndk: NDK, options: SessionManagerOptions = {}) {
  const manager = new NDKSessionManager(ndk, { timeouts: { fetchMs: 2000, signerMs: 2000 }, ...options });
  return {
    manager,
    ready: (pubkey: string, timeoutMs = 3000) =>
      eventually(() => manager.getSession(pubkey)?.status === "ready", timeoutMs, `session ${pubkey.slice(0, 8)} ready`),
    status: (pubkey: string) => manager.getSession(pubkey)?.status,
  };
}
