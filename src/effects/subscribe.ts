import type NDK from "@nostr-dev-kit/ndk";
import { NDKRelaySet, type NDKFilter, type NDKRelay, type NDKSubscription, type NDKSubscriptionOptions } from "@nostr-dev-kit/ndk";

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

/**
 * A REQ on one relay alone. NDK's `start()` also watches the pool and sends the REQ to every relay
 * that connects later, a relay set or not (NDK 3.0.3); handing it to the relay itself does not.
 * The relay's EOSE ends it as `start()` would (`relayFilters` is what NDK counts EOSEs against).
 */
export function subscribeOn(ndk: NDK, relay: NDKRelay, filters: NDKFilter[], options: NDKSubscriptionOptions): NDKSubscription {
  const subscription = ndk.subscribe(filters, { ...options, groupable: false, relaySet: new NDKRelaySet(new Set([relay]), ndk) }, false);
  subscription.relayFilters = new Map([[relay.url, filters]]);
  relay.subscribe(subscription, filters);
  return subscription;
}
