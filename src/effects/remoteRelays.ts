import type NDK from "@nostr-dev-kit/ndk";
import { NDKNip46Signer, NDKRelayStatus, type NDKPool, type NDKRelay, type NDKSigner } from "@nostr-dev-kit/ndk";
import { relayLabel } from "./bunkerUri";
import { BunkerUnreachableError, loginCancelled } from "./signerErrors";

/** What NDK 3.0.3 keeps private on a NIP-46 signer: its NDK, and the RPC with a relay pool of its own. */
interface Nip46Internals {
  ndk?: NDK;
  rpc?: { pool?: NDKPool };
}

const internals = (signer: NDKNip46Signer) => signer as unknown as Nip46Internals;

const connected = (relay: NDKRelay) => relay.status >= NDKRelayStatus.CONNECTED;

/** The relays a remote signer talks to the bunker on (none for a NIP-05 signer before it resolves). */
function rpcRelays(signer: NDKNip46Signer): NDKRelay[] {
  return [...(internals(signer).rpc?.pool?.relays.values() ?? [])];
}

/** A bunker signer that has not yet learnt its user: its relays decide whether it can get anywhere. */
export function awaitsBunkerRelays(signer: NDKSigner): signer is NDKNip46Signer {
  if (!(signer instanceof NDKNip46Signer) || typeof signer.bunkerPubkey !== "string") return false;
  try {
    void signer.userSync;
    return false;
  } catch {
    return rpcRelays(signer).length > 0;
  }
}

/**
 * Resolves once one of the signer's relays is connected; rejects with BunkerUnreachableError when
 * every one of them has failed, or when none connected within `timeoutMs`. Only the sockets are
 * timed here: nothing has been asked of the bunker yet, so no person's approval can fall inside.
 * NDK does not retry a relay whose first connection failed (it retries only after a connection
 * that worked), so a refusal from all of them fails at once instead of at the deadline.
 */
export function awaitBunkerRelays(signer: NDKNip46Signer, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const relays = rpcRelays(signer);
  return new Promise<void>((resolve, reject) => {
    const failed = new Set<NDKRelay>();
    const listeners: Array<() => void> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      for (const off of listeners.splice(0)) off();
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const unreachable = (timedOut: boolean) =>
      new BunkerUnreachableError(relays.filter((relay) => !connected(relay)).map((relay) => relayLabel(relay.url)), timeoutMs, timedOut);
    const onAbort = () => finish(() => reject(loginCancelled()));

    if (signal?.aborted) return onAbort();
    if (relays.some(connected)) return finish(resolve);
    for (const relay of relays) {
      const onConnect = () => finish(resolve);
      // Emitted when a socket that never opened is closed (refused, unresolvable, TLS failure).
      const onDisconnect = () => {
        failed.add(relay);
        if (failed.size === relays.length) finish(() => reject(unreachable(false)));
      };
      relay.on("connect", onConnect);
      relay.on("disconnect", onDisconnect);
      listeners.push(() => {
        relay.off("connect", onConnect);
        relay.off("disconnect", onDisconnect);
      });
      // The RPC pool dials in the signer's constructor: a refusal may already have come back.
      if (relay.status === NDKRelayStatus.DISCONNECTED) failed.add(relay);
    }
    if (failed.size === relays.length) return finish(() => reject(unreachable(false)));
    signal?.addEventListener("abort", onAbort, { once: true });
    timer = setTimeout(() => finish(() => reject(unreachable(true))), timeoutMs);
  });
}

/**
 * Closes a remote signer's own relay pool for good, whatever state its relays are in. NDK's
 * `relay.disconnect()` does nothing for a relay that never connected, which leaves its two
 * monitoring intervals running for ever and any pending reconnect free to dial again; a pool that
 * sees most of its relays drop takes it for a network outage and dials them all again; every
 * NDKRelay re-arms a 30 s validation tick for life. The pool leaves `ndk.pools` too, so a
 * long-lived NDK does not collect one per bunker login.
 */
export function closeBunkerRelays(signer: NDKNip46Signer): void {
  const { ndk, rpc } = internals(signer);
  const pool = rpc?.pool;
  if (!pool) return;
  // A listener still waiting for its first EOSE is not yet the signer's to stop(): find it by its pool.
  for (const subscription of [...(ndk?.subManager.subscriptions.values() ?? [])]) if (subscription.pool === pool) subscription.stop();
  for (const relay of pool.relays.values()) {
    relay.removeAllListeners(); // the pool's own: its outage detection would dial the closed relays again
    relay.connectivity.resetReconnectionState();
    relay.connectivity.disconnect();
    Object.defineProperty(relay, "updateValidationRatio", { value: () => {}, configurable: true });
  }
  // Set while the pool's last outage is recent (10 s); it only blocks another, but it holds the loop open.
  clearTimeout((pool as unknown as { systemEventDetector?: ReturnType<typeof setTimeout> }).systemEventDetector);
  const index = ndk?.pools.indexOf(pool) ?? -1;
  if (index >= 0) ndk!.pools.splice(index, 1);
}
