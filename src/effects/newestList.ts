import type NDK from "@nostr-dev-kit/ndk";
import { NDKRelaySet, NDKRelayStatus, NDKSubscriptionCacheUsage, type NDKEvent, type NDKFilter, type NDKRelay } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import type { Hexpubkey, ListTarget, RawListEvent } from "../../machines";
import { dTagOf } from "../lists/parse";
import { isAuthentic, plainEvent } from "../lists/verify";

/** What the relays said about one list: whether any answered (EOSE), and the newest verified version. */
export interface NewestList {
  answered: boolean;
  event: RawListEvent | null;
}

/** NIP-01: a newer created_at wins; on a tie the lowest id. */
export const isNewer = (a: Pick<RawListEvent, "id" | "created_at">, b: Pick<RawListEvent, "id" | "created_at">) =>
  a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id);


/**
 * The newest version of one list that the app's relays hold NOW: a one-off REQ on every relay of
 * NDK's pool, each candidate verified in full (id, signature, author, d tag). It ends when every
 * connected relay has sent EOSE, or at `timeoutMs` — whichever comes first — so a relay that is down
 * costs the wait, never a hang. `answered` says whether at least one relay sent EOSE: without that,
 * "no version" means "nobody said", and nothing may be built on it.
 */
export function fetchNewest(ndk: NDK, author: Hexpubkey, target: ListTarget, timeoutMs: number, signal?: AbortSignal): Promise<NewestList> {
  const relays = [...ndk.pool.relays.values()];
  if (relays.length === 0 || signal?.aborted) return Promise.resolve({ answered: false, event: null });
  const filter: NDKFilter = { kinds: [target.kind], authors: [author], ...(target.d === undefined ? {} : { "#d": [target.d] }) };
  return new Promise<NewestList>((resolve) => {
    const answered = new Set<NDKRelay>();
    let newest: RawListEvent | null = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      subscription.stop();
      resolve({ answered: answered.size > 0, event: newest });
    };
    const consider = (event: NostrEvent) => {
      if (event.kind !== target.kind || (target.d !== undefined && (dTagOf(event.tags) ?? "") !== target.d)) return;
      if (newest && !isNewer(event, newest)) return;
      if (isAuthentic(event, author)) newest = plainEvent(event);
    };
    const subscription = ndk.subscribe([filter], {
      closeOnEose: true,
      groupable: false,
      skipVerification: true, // isAuthentic checks every candidate in full
      skipValidation: true,
      includeMuted: true,
      cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY,
      relaySet: new NDKRelaySet(new Set(relays), ndk),
      onEvent: (event: NDKEvent) => consider(event.rawEvent() as NostrEvent),
    }, false);
    // NDK reports EOSE for the whole subscription only, after a grace period when some relays are
    // slow; each relay's EOSE is what tells us who answered.
    const eoseReceived = subscription.eoseReceived.bind(subscription);
    subscription.eoseReceived = (relay: NDKRelay) => {
      eoseReceived(relay);
      answered.add(relay);
      if (relays.every((r) => answered.has(r) || r.status < NDKRelayStatus.CONNECTED)) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    signal?.addEventListener("abort", finish, { once: true });
    subscription.start();
  });
}
