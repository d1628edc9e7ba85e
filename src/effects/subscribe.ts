import type NDK from "@nostr-dev-kit/ndk";
import type { NDKFilter, NDKSubscription, NDKSubscriptionOptions } from "@nostr-dev-kit/ndk";

/**
 * `ndk.subscribe` starts the subscription on a `setTimeout(0)`; a `stop()` before that timer is
 * lost and the REQ goes out anyway, never to be closed (NDK 3.0.3). Starting it ourselves makes
 * the REQ immediate and every `stop()` effective.
 */
export function startSubscription(ndk: NDK, filters: NDKFilter[], options: NDKSubscriptionOptions): NDKSubscription {
  const subscription = ndk.subscribe(filters, options, false);
  subscription.start();
  return subscription;
}
