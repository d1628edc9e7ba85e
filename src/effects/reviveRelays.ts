import type NDK from "@nostr-dev-kit/ndk";
import { NDKRelayStatus } from "@nostr-dev-kit/ndk";

/**
 * NDK 3.0.3 retries a relay that dropped after connecting, but gives up for good on one whose
 * first connection failed. Before a session fetches, such relays are asked to try again, so a
 * session that went offline at start-up recovers when the relay comes up. Relays that connected
 * before (and may have been disconnected on purpose) are left to NDK.
 */
export function reviveNeverConnectedRelays(ndk: NDK): void {
  for (const relay of ndk.pool.relays.values()) {
    if (relay.status === NDKRelayStatus.DISCONNECTED && relay.connectionStats.success === 0) {
      relay.connect().catch(() => {}); // a failure is seen by the fetch that follows, as "offline"
    }
  }
}
