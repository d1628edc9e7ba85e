import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKKind, NDKPrivateKeySigner, NDKRelayList, type Hexpubkey, type NDKUserProfile } from "@nostr-dev-kit/ndk";
import { requireWebSocket, SessionError } from "../errors";

export interface NewAccountData {
  profile?: NDKUserProfile;
  relays?: string[];
  wallet?: { mints: string[]; relays?: string[] };
  follows?: Hexpubkey[];
}

/** Signs the new account's kind 0, 10002 and 3 (only those with data), and publishes them unless told not to. */
export async function buildAccountEvents(
  ndk: NDK,
  signer: NDKPrivateKeySigner,
  data: NewAccountData,
  publish: boolean,
): Promise<NDKEvent[]> {
  if (data.wallet)
    throw new SessionError("Creating a NIP-60 wallet needs @nostr-dev-kit/wallet, which this build does not include", "wallet-unavailable");
  const events: NDKEvent[] = [];
  if (data.profile) events.push(new NDKEvent(ndk, { kind: NDKKind.Metadata, content: JSON.stringify(data.profile), tags: [] }));
  if (data.relays?.length) {
    const relayList = new NDKRelayList(ndk);
    relayList.bothRelayUrls = data.relays;
    events.push(relayList);
  }
  if (data.follows?.length)
    events.push(new NDKEvent(ndk, { kind: NDKKind.Contacts, content: "", tags: data.follows.map((pk) => ["p", pk]) }));
  for (const event of events) await event.sign(signer);
  if (publish && events.length > 0) {
    requireWebSocket();
    await Promise.all(events.map((event) => event.publish()));
  }
  return events;
}
