import type { NDKEvent } from "@nostr-dev-kit/ndk";
import type { BlockedRelaysData, MutesData } from "./kinds";
import { normalizeRelayUrl } from "./relayUrl";

export type MuteFilter = (event: NDKEvent) => boolean;
export type RelayConnectionFilter = (relayUrl: string) => boolean;

/** True when the event's author or id is muted, a muted word is in its content, or it carries a muted hashtag. */
export function buildMuteFilter(mutes: MutesData): MuteFilter {
  const pubkeys = new Set(mutes.pubkeys);
  const ids = new Set(mutes.eventIds);
  const hashtags = new Set(mutes.hashtags);
  const words = mutes.words;
  return (event) => {
    if (pubkeys.has(event.pubkey) || (event.id && ids.has(event.id))) return true;
    if (hashtags.size > 0 && event.tags.some((t) => t[0] === "t" && typeof t[1] === "string" && hashtags.has(t[1].toLowerCase())))
      return true;
    if (words.length === 0 || !event.content) return false;
    const content = event.content.toLowerCase();
    return words.some((word) => content.includes(word));
  };
}

/** NDK calls this before adding a relay: false refuses a blocked one, whatever its spelling. */
export function buildRelayConnectionFilter(blocked: BlockedRelaysData): RelayConnectionFilter {
  const urls = new Set(blocked.urls);
  return (relayUrl) => {
    const url = normalizeRelayUrl(relayUrl);
    return url === undefined || !urls.has(url);
  };
}
