import type NDK from "@nostr-dev-kit/ndk";
import { NDKRelayStatus, type NDKRelay } from "@nostr-dev-kit/ndk";

/**
 * Dials a disconnected relay now. NDK ignores `connect()` while a reconnect of its own is pending,
 * so that one is cancelled first: ours comes first. A failure is seen by whoever waits on the relay.
 */
export function dialRelay(relay: NDKRelay): void {
  if (relay.status !== NDKRelayStatus.DISCONNECTED) return;
  if ((relay.connectionStats.nextReconnectAt ?? 0) > Date.now()) relay.connectivity.resetReconnectionState();
  relay.connect().catch(() => {});
}

/**
 * NDK 3.0.3 retries a relay that dropped after connecting, but gives up for good on one whose
 * first connection failed. Before a session fetches, such relays are asked to try again, so a
 * session that went offline at start-up recovers when the relay comes up. Relays that connected
 * before (and may have been disconnected on purpose) are left to NDK.
 */
export function reviveNeverConnectedRelays(ndk: NDK): void {
  // A failure is seen by the fetch that follows, as "offline".
  for (const relay of ndk.pool.relays.values()) if (relay.connectionStats.success === 0) dialRelay(relay);
}
