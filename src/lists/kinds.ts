/** Typed `data` of each list entry kind, as stored in session context (plain JSON). */
import type { PackedPubkeys } from "./packedPubkeys";
import type { NostrEvent } from "nostr-tools/pure";

export type ProfileData = Record<string, string | number | boolean>;
export type FollowsData = PackedPubkeys;
export interface MutesData {
  pubkeys: string[];
  eventIds: string[];
  /** Lower-cased. */
  words: string[];
  /** Lower-cased, without '#'. */
  hashtags: string[];
}
export interface BlockedRelaysData {
  urls: string[];
}
export interface RelayListData {
  relays: Array<{ url: string; read: boolean; write: boolean }>;
}
/** Any other kind keeps the signed event itself. */
export type RawEventData = NostrEvent;
