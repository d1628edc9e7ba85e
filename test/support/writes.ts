/** What the list-write tests share: reading a list back from a relay as another client would, and bounded waits. */
import type NDK from "@nostr-dev-kit/ndk";
import { NDKEvent, NDKSubscriptionCacheUsage } from "@nostr-dev-kit/ndk";
import type { NostrEvent } from "nostr-tools/pure";
import type { LoopbackRelay } from "../../src/demo/loopbackRelay";
import { within } from "./bounded";
import { eventually } from "./env";

/** The relay's copy of `pubkey`'s list of `kind`, read by `ndk` (another client: not the engine under test). */
export async function readBack(ndk: NDK, pubkey: string, kind: number): Promise<NostrEvent | null> {
  const event = await within(
    ndk.fetchEvent({ kinds: [kind], authors: [pubkey] }, { cacheUsage: NDKSubscriptionCacheUsage.ONLY_RELAY, groupable: false, includeMuted: true }),
    3000,
    `reading kind ${kind} back`,
  );
  return event ? (event.rawEvent() as NostrEvent) : null;
}

/** Publishes a signed event as it is (no re-signing, no tags added), and waits for the relay's OK. */
export async function publishRaw(ndk: NDK, event: NostrEvent): Promise<void> {
  await within(new NDKEvent(ndk, event).publish(), 3000, "publishing");
}

/** EVENT frames the relay received after `mark` (a length of `relay.frames` taken before). */
export const eventsSince = (relay: LoopbackRelay, mark: number) => relay.frames.slice(mark).filter((f) => f.type === "EVENT").length;

/** REQ frames after `mark` asking for `kind` of `author` alone (a list write's read, not the sessions' shared REQ). */
export const listReadsSince = (relay: LoopbackRelay, mark: number, author: string, kind: number) =>
  relay.frames.slice(mark).filter((f) => f.type === "REQ" && f.filters?.length === 1 && f.filters[0]!.kinds?.join() === String(kind) && f.filters[0]!.authors?.join() === author).length;

/** Tries `action` until it stops throwing (a NIP-49 copy is sealed in the background after a login). */
export const until = (action: () => void, what: string) =>
  eventually(
    () => {
      try {
        action();
        return true;
      } catch {
        return false;
      }
    },
    3000,
    what,
  );
